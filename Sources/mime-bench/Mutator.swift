/// A small, fast, seedable random generator (SplitMix64), so a fuzz run can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Structure-aware mutations of MIME messages: the byte-level ones libFuzzer would do, plus the
/// tricks that matter to a MIME parser (boundary and header splicing, nesting, repetition).
struct Mutator {
    var random: SplitMix64
    let seeds: [[UInt8]]
    let maxLength: Int

    /// Tokens that change how a MIME parser reads what follows them.
    static let tokens: [[UInt8]] = [
        "\r\n", "\n", "\r", "\r\n\r\n", "--", "--\r\n", "=", "=\r\n", "=?", "?=", "=?utf-8?B?", "=?iso-8859-1?Q?",
        ";", "\"", "\\", " boundary=", "; boundary=\"x\"", "*0*=utf-8''", "*1=", "%", "%ff", "\t", " ",
        "Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\n",
        "Content-Type: message/rfc822\r\n\r\n", "Content-Transfer-Encoding: base64\r\n",
        "Content-Transfer-Encoding: quoted-printable\r\n", "Content-Transfer-Encoding: x-uuencode\r\n",
        "Content-Disposition: attachment; filename=", "begin 644 x.exe\r\n", "M86)C\r\nend\r\n",
        "\u{202E}", "\0", "\u{FF}", "====", "\r\n--zz--\r\n",
    ].map { Array($0.utf8) }

    /// A new input: a seed with one to eight mutations applied.
    mutating func next() -> [UInt8] {
        var data = seeds[Int.random(in: 0..<seeds.count, using: &random)]
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            mutate(&data)
        }
        if data.count > maxLength { data.removeLast(data.count - maxLength) }
        return data
    }

    private mutating func position(_ data: [UInt8]) -> Int {
        Int.random(in: 0...data.count, using: &random)
    }

    private mutating func range(_ data: [UInt8], maxLength: Int = 4096) -> Range<Int> {
        let start = Int.random(in: 0...data.count, using: &random)
        let length = Int.random(in: 0...min(maxLength, data.count - start), using: &random)
        return start..<start + length
    }

    private mutating func mutate(_ data: inout [UInt8]) {
        switch Int.random(in: 0..<11, using: &random) {
        case 0 where !data.isEmpty:  // flip bits / set a random byte
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let i = Int.random(in: 0..<data.count, using: &random)
                data[i] = Bool.random(using: &random) ? data[i] ^ (1 << UInt8.random(in: 0...7, using: &random))
                    : UInt8.random(in: 0...255, using: &random)
            }
        case 1:  // insert a MIME token
            let token = Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &random)]
            data.insert(contentsOf: token, at: position(data))
        case 2:  // delete a range
            data.removeSubrange(range(data))
        case 3:  // duplicate a range somewhere else
            let copy = Array(data[range(data)])
            data.insert(contentsOf: copy, at: position(data))
        case 4:  // truncate
            data.removeSubrange(position(data)..<data.count)
        case 5:  // splice a range of another seed in
            let other = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            let r = range(other)
            data.insert(contentsOf: other[r], at: position(data))
        case 6:  // copy a boundary delimiter line to a random place
            if let line = randomLine(data, startingWith: Array("--".utf8)) {
                data.insert(contentsOf: line, at: position(data))
            }
        case 7:  // copy a header line of another seed to a random place
            let other = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            if let line = randomLine(other, startingWith: Array("Content-".utf8)) {
                data.insert(contentsOf: line, at: position(data))
            }
        case 8:  // nest the whole message in multiparts or message/rfc822 a few levels deep
            for level in 0..<Int.random(in: 1...40, using: &random) {
                if Bool.random(using: &random) {
                    let b = Array("n\(level)".utf8)
                    data = Array("Content-Type: multipart/mixed; boundary=\"".utf8) + b + Array("\"\r\n\r\n--".utf8) + b
                        + Array("\r\n".utf8) + data + Array("\r\n--".utf8) + b + Array("--\r\n".utf8)
                } else {
                    data = Array("Content-Type: message/rfc822\r\n\r\n".utf8) + data
                }
                if data.count > maxLength { break }
            }
        case 9:  // repeat a small range many times
            let r = range(data, maxLength: 64)
            let chunk = Array(data[r])
            let times = Int.random(in: 2...2000, using: &random)
            var repeated: [UInt8] = []
            repeated.reserveCapacity(chunk.count * times)
            for _ in 0..<times { repeated += chunk }
            data.insert(contentsOf: repeated, at: r.upperBound)
        default:  // swap line endings: CRLF to LF or LF to CRLF over a range
            let r = range(data)
            var out: [UInt8] = []
            out.reserveCapacity(r.count * 2)
            let toLF = Bool.random(using: &random)
            for byte in data[r] {
                if toLF, byte == 13 { continue }
                if !toLF, byte == 10 { out.append(13) }
                out.append(byte)
            }
            data.replaceSubrange(r, with: out)
        }
    }

    /// A random whole line of `data` that starts with `prefix`, line break included.
    private mutating func randomLine(_ data: [UInt8], startingWith prefix: [UInt8]) -> [UInt8]? {
        var starts: [Int] = []
        var lineStart = 0
        for (i, byte) in data.enumerated() where byte == 10 {
            if data[lineStart..<i].starts(with: prefix) { starts.append(lineStart) }
            lineStart = i + 1
        }
        guard let start = starts.randomElement(using: &random) else { return nil }
        let end = data[start...].firstIndex(of: 10).map { $0 + 1 } ?? data.count
        return Array(data[start..<end])
    }
}
