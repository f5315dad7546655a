/// Streaming uudecoding: skips to the `begin MODE NAME` line, decodes each line by its length
/// character, stops at `end`. A line cut by a chunk boundary is carried to the next chunk
/// (up to `maxLine` bytes; uuencode lines are 62, longer ones are garbage and cut).
struct UUDecoder {
    private enum Phase {
        case seekingBegin
        case body
        case done
    }

    private static let maxLine = 512
    private var phase = Phase.seekingBegin
    private var carry: [UInt8] = []
    private(set) var badLines = 0

    /// Decodes `count` bytes at `input` into `out` (room for `count` + 256); returns bytes written.
    mutating func decode(_ input: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        var lineStart = 0
        while lineStart < count && phase != .done {
            guard let newline = ByteScan.find(0x0A, in: input, from: lineStart, limit: count) else {
                let room = max(0, Self.maxLine - carry.count)
                carry.append(contentsOf: UnsafeBufferPointer(start: input + lineStart, count: min(room, count - lineStart)))
                break
            }
            if carry.isEmpty {
                written += handleLine(UnsafeBufferPointer(start: input + lineStart, count: newline - lineStart), into: out + written)
            } else {
                let room = max(0, Self.maxLine - carry.count)
                carry.append(contentsOf: UnsafeBufferPointer(start: input + lineStart, count: min(room, newline - lineStart)))
                let line = carry
                carry = []
                written += line.withUnsafeBufferPointer { handleLine($0, into: out + written) }
            }
            lineStart = newline + 1
        }
        return written
    }

    /// Ends the stream: a carried last line without line break is decoded; returns bytes written.
    mutating func finish(into out: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        if !carry.isEmpty && phase != .done {
            let line = carry
            carry = []
            written = line.withUnsafeBufferPointer { handleLine($0, into: out) }
        }
        if phase == .seekingBegin { badLines += 1 }
        return written
    }

    private mutating func handleLine(_ raw: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        // Spaces are data in uuencode (a space is the digit 0), so only the CR is dropped here.
        var end = raw.count
        if end > 0 && raw[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: raw[0..<end])
        switch phase {
        case .seekingBegin:
            if UUEncodedBlocks.isBeginLine(line) { phase = .body }
            return 0
        case .body:
            var word = end
            while word > 0 && line[word - 1] == 0x20 { word -= 1 }
            if word == 3 && line[0] == 0x65 && line[1] == 0x6E && line[2] == 0x64 {
                phase = .done
                return 0
            }
            return decodeLine(line, into: out)
        case .done:
            return 0
        }
    }

    /// Decodes one line: its first character gives the byte count, then 4 characters per 3 bytes.
    /// Characters missing at the end count as zero, as `binascii.a2b_uu` reads them: mail
    /// systems strip trailing spaces, which in uuencode are zero digits.
    private mutating func decodeLine(_ line: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let first = line.first else { return 0 }
        let length = Int((first &- 0x20) & 0x3F)
        if length == 0 { return 0 }
        if line.count < 2 { badLines += 1 }
        var written = 0
        var index = 1
        while written < length {
            var group: UInt32 = 0
            for offset in 0..<4 {
                let char = index + offset < line.count ? line[index + offset] : 0x60
                group = group << 6 | UInt32((char &- 0x20) & 0x3F)
            }
            index += 4
            for shift in [16, 8, 0] where written < length {
                out[written] = UInt8(truncatingIfNeeded: group >> UInt32(shift))
                written += 1
            }
        }
        return written
    }

    func defects(path: String) -> [MIMEDefect] {
        guard badLines > 0 || phase == .body else { return [] }
        let detail = phase == .seekingBegin ? "no 'begin' line found"
            : phase == .body ? "no 'end' line; decoded to the end of the part" : "\(badLines) short lines"
        return [MIMEDefect(.invalidUUEncode, detail: detail, path: path)]
    }
}
