import MIME
import Testing

/// A small deterministic mutation loop (the long randomised run is the fuzz script's): broken
/// variants of real-looking messages must parse, decode and answer every query without a trap.
@Suite struct MutationTests {
    /// SplitMix64: a seeded generator, so a failure here reproduces exactly.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [[UInt8]] = [
        MultipartTests.simple,
        "Content-Type: multipart/mixed; boundary=a; boundary=b\n\n--a\nContent-Type: message/rfc822\n\nSubject: =?utf-8?q?x?=\nContent-Type: multipart/alternative; boundary=c\n\n--c\nContent-Transfer-Encoding: quoted-printable\n\nq=3Dp=\n--c--\n--a\nContent-Disposition: attachment; filename*0*=utf-8''%C3%A9; filename*1=.exe\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 f\n#0V%T\n`\nend\n--a--\n",
        "Subject: text\n\nhello\nbegin 600 a.bin\nM\n#0V%T\nend\n",
    ].map { bytes($0) }

    static let tokens: [[UInt8]] = ["\r\n", "\n", "\r", "--", "--a--", "=?", "?=", "=", ";", "\"", "*0*=", "%",
                                    "begin 644 x\n", "M\n", "end\n", "boundary=", ":", " ", "\t", "=?utf-8?b?"].map { Array($0.utf8) }

    @Test func mutatedMessagesParseAndDecodeWithoutTrapping() {
        var random = SeededGenerator(state: 20_240_305)
        let parser = MIMEParser(limits: .init(maxDepth: 10, maxParts: 200))
        for _ in 0..<1_000 {
            var message = Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &random)]
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                guard !message.isEmpty else { break }
                let position = Int.random(in: 0..<message.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: message[position] = UInt8.random(in: 0...255, using: &random)
                case 1: message.insert(contentsOf: Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &random)], at: position)
                case 2: message.removeSubrange(position..<min(message.count, position + Int.random(in: 1...40, using: &random)))
                default: message = Array(message[0..<position])
                }
            }
            let parsed = parser.parse(message)
            var budget = parsed.makeDecodingBudget()
            for leaf in parsed.leaves + parsed.alternativeLeaves {
                let decoded = leaf.decode(budget: &budget)
                var streamed = 0
                _ = leaf.decode(chunkSize: 5) { streamed += $0.count }
                #expect(streamed == leaf.decoded().count)
                #expect(decoded.bytes.count <= max(leaf.bodyRange.count * 32, 64))
                _ = leaf.headerFields
                _ = leaf.decodedHeader("subject")
            }
            #expect(parsed.allParts.count <= 201)
        }
    }

    @Test func shortUUEncodeLinesAreBoundedAndDecodeAsZeros() {
        let body = "begin 644 zeros\n" + String(repeating: "M\n", count: 10_000) + "end\n"
        let parsed = parse("Content-Transfer-Encoding: x-uuencode\n\n" + body, crlf: false)
        var total = 0
        _ = parsed.root.decode(chunkSize: 1024) { chunk in
            total += chunk.count
            #expect(chunk.allSatisfy { $0 == 0 })
        }
        #expect(total == 450_000)
    }

    @Test func aBeginLineWithOnlySpacesAfterTheModeIsNoBlock() {
        let parsed = parse("\nbegin 644    \nM\nend\n", crlf: false)
        #expect(parsed.leaves.map(\.path) == ["1"])
    }
}
