import MIME
import Testing

/// Base64, quoted-printable, uuencode and the identity encodings, decoded as mail clients do.
@Suite struct TransferEncodingTests {
    static func part(_ encoding: String, _ body: String, type: String = "application/octet-stream") -> MIMEPart {
        parse("Content-Type: \(type)\nContent-Transfer-Encoding: \(encoding)\n\n\(body)", crlf: false).root
    }

    @Test func base64SkipsWhiteSpaceSilently() {
        let decoded = Self.part("base64", "aGVs\nbG8g\r\n d29y bGQ=\n").decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "hello world")
        #expect(decoded.defects.isEmpty)
    }

    @Test func base64SkipsGarbageWithADefect() {
        let decoded = Self.part("BASE64", "aGVs*bG8g!d29y\u{7}bGQ=").decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "hello world")
        #expect(decoded.defects.map(\.name) == ["InvalidBase64Characters"])
    }

    @Test func base64WithoutPaddingDecodesWhatIsThere() {
        let decoded = Self.part("base64", "aGVsbG8").decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "hello")
        #expect(decoded.defects.map(\.name) == ["InvalidBase64Padding"])
    }

    @Test func base64AfterPaddingIsDecodedOnWithADefect() {
        let decoded = Self.part("base64", "aGk=\nTVqQ\n").decode()
        #expect(decoded.bytes == Array("hi".utf8) + [0x4D, 0x5A, 0x90])
        #expect(decoded.defects.map(\.name) == ["Base64DataAfterPadding"])
    }

    @Test func quotedPrintableSoftBreaksAndLowercaseHex() {
        let decoded = Self.part("quoted-printable", "caf=c3=A9 =\r\nau=\nlait=20\r\nend").decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "café aulait \r\nend")
        #expect(decoded.defects.isEmpty)
    }

    @Test func quotedPrintableSoftBreakWithTrailingWhiteSpace() {
        let decoded = Self.part("quoted-printable", "a= \t\r\nb").decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "ab")
    }

    @Test func brokenQuotedPrintableEscapesAreKeptLiterallyWithADefect() {
        let decoded = Self.part("quoted-printable", "100=% sure =ZZ and =4").decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "100=% sure =ZZ and =4")
        #expect(decoded.defects.map(\.name) == ["InvalidQuotedPrintableEscape"])
    }

    @Test(arguments: ["7bit", "8bit", "binary"])
    func identityEncodingsKeepTheBytes(encoding: String) {
        #expect(text(of: Self.part(encoding, "raw \u{e9} bytes\n")) == "raw \u{e9} bytes\n")
    }

    @Test func aQuotedOrUpperCaseEncodingNameIsStillKnown() {
        #expect(text(of: Self.part("\"Base64\"", "aGk=")) == "hi")
        #expect(Self.part("\"Base64\"", "aGk=").transferEncoding == "base64")
    }

    @Test func anUnknownEncodingKeepsTheBytesWithADefect() {
        let parsed = parse("Content-Transfer-Encoding: x-gzip64\n\nabc")
        #expect(text(of: parsed.root) == "abc")
        #expect(parsed.root.transferEncoding == "x-gzip64")
        #expect(defectNames(parsed) == ["UnknownTransferEncoding"])
    }

    static let uuBody = "begin 644 hello.txt\n8:&5L;&\\L('5U96YC;V1E9\"!W;W)L9\"$*\n`\nend\n"

    @Test func xUUEncodeBodiesAreDecoded() {
        let decoded = Self.part("x-uuencode", Self.uuBody).decode()
        #expect(String(decoding: decoded.bytes, as: UTF8.self) == "hello, uuencoded world!\n")
        #expect(decoded.defects.isEmpty)
    }

    @Test func uuencodeLinesWhoseTrailingSpacesWereStrippedDecodeAsZeros() {
        // "M" lines of zero bytes are all spaces after the length; mail systems strip them.
        let body = "begin 644 z.bin\nM\n#0V%T\n`\nend\n"
        let decoded = Self.part("x-uuencode", body).decode()
        #expect(decoded.bytes == [UInt8](repeating: 0, count: 45) + Array("Cat".utf8))
    }

    @Test func uuencodedBlocksInsideTextBecomeTheirOwnLeaves() {
        let parsed = parse("Subject: old style\n\nHere is the file:\n\n" + Self.uuBody + "\nbye\n", crlf: false)
        #expect(parsed.leaves.map(\.path) == ["1", "1.u1"])
        let block = parsed.leaves[1]
        #expect(block.origin == .uuencodedBlock)
        #expect(block.filename == "hello.txt")
        #expect(block.transferEncoding == "x-uuencode")
        #expect(text(of: block) == "hello, uuencoded world!\n")
        #expect(defectNames(parsed) == ["UUEncodedBlockInText"])
        // The text part itself still holds everything, block included.
        #expect(text(of: parsed.leaves[0]).contains("begin 644 hello.txt"))
    }

    @Test func aUUEncodedBlockWithoutEndRunsToTheEndOfTheText() {
        let parsed = parse("\nbegin 600 x.bin\n#0V%T\n", crlf: false)
        #expect(parsed.leaves.map(\.path) == ["1", "1.u1"])
        #expect(parsed.leaves[1].decoded() == Array("Cat".utf8))
        #expect(defectNames(parsed) == ["UUEncodedBlockInText", "InvalidUUEncode"])
    }

    @Test func aUUEncodedPartWithoutBeginIsADecodingDefect() {
        let decoded = Self.part("x-uuencode", "#0V%T\n").decode()
        #expect(decoded.bytes.isEmpty)
        #expect(decoded.defects.map(\.name) == ["InvalidUUEncode"])
    }

    @Test(arguments: [
        ("base64", String(repeating: "TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcms=\r\n", count: 40) + "Zm9v!!YmFy"),
        ("quoted-printable", String(repeating: "caf=C3=A9 =\r\nsoft=20 =ZZ line\r\n", count: 40) + "=4"),
        ("x-uuencode", TransferEncodingTests.uuBody),
        ("7bit", String(repeating: "plain text line\r\n", count: 40)),
    ])
    func streamingInTinyChunksGivesTheSameBytesAsWholeDecoding(encoding: String, body: String) {
        let part = Self.part(encoding, body)
        let whole = part.decode()
        for chunkSize in [1, 7, 64, 1000] {
            var streamed: [UInt8] = []
            let summary = part.decode(chunkSize: chunkSize) { streamed.append(contentsOf: $0) }
            #expect(streamed == whole.bytes, "chunk size \(chunkSize)")
            #expect(summary.size == whole.bytes.count)
            #expect(summary.defects.map(\.name) == whole.defects.map(\.name))
        }
    }

    @Test func multipartBodiesAreNeverTransferDecoded() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: base64\n\n--b\n\nx\n--b--\n")
        #expect(defectNames(parsed) == ["InvalidMultipartTransferEncoding"])
        #expect(text(of: parsed.leaves[0]) == "x")
    }
}
