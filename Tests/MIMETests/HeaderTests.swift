import MIME
import Testing

/// RFC 5322 header handling: folding, line ends, 8-bit, duplicates, missing and broken headers.
@Suite struct HeaderTests {
    @Test func foldedFieldsAreUnfolded() {
        let parsed = parse("Subject: a long\n\tsubject\n  line\nX-A: 1\n\nbody")
        #expect(parsed.root.header("subject") == "a long\tsubject  line")
        #expect(parsed.root.header("x-a") == "1")
    }

    @Test func bareLineFeedsAndCRLFGiveTheSameHeaderAndBody() {
        let lf = parse("Subject: x\nContent-Type: text/html\n\nbody\n", crlf: false)
        #expect(lf.root.contentType.mimeType == "text/html")
        #expect(text(of: lf.root) == "body\n")
        #expect(lf.defects.isEmpty)
    }

    @Test func fieldNamesAreCaseInsensitiveAndDuplicatesAreKeptInOrder() {
        let parsed = parse("Received: one\nRECEIVED: two\nreceived: three\n\n")
        #expect(parsed.root.headers(named: "Received") == ["one", "two", "three"])
        #expect(parsed.root.headerFields.map(\.name) == ["Received", "RECEIVED", "received"])
    }

    @Test func eightBitHeaderBytesAreReadAsUTF8OrLatin1() {
        var raw = Array("Subject: caf".utf8) + [0xE9] + Array("\r\nX-UTF8: caf".utf8) + [0xC3, 0xA9]
        raw += Array("\r\n\r\nbody".utf8)
        let parsed = MIMEParser().parse(raw)
        #expect(parsed.root.header("subject") == "café")
        #expect(parsed.root.header("x-utf8") == "café")
    }

    @Test func missingMIMEHeadersMeanPlainTextIn7bit() {
        let parsed = parse("From: a@example.org\n\nhi")
        #expect(parsed.root.contentType.mimeType == "text/plain")
        #expect(parsed.root.transferEncoding == "7bit")
        #expect(parsed.root.charset == nil)
        #expect(parsed.root.disposition == nil)
        #expect(parsed.root.header("content-type") == nil)
    }

    @Test func aBodyWithoutTheEmptyLineStartsAtTheFirstNonHeaderLine() {
        let parsed = parse("Subject: x\nthis is body text\nmore\n")
        #expect(defectNames(parsed) == ["MissingHeaderBodySeparator"])
        #expect(text(of: parsed.root) == "this is body text\r\nmore\r\n")
        #expect(parsed.root.header("subject") == "x")
    }

    @Test func whiteSpaceBeforeTheColonIsAcceptedAsObsoleteSyntax() {
        let parsed = parse("Content-Type : text/html\n\n<p>")
        #expect(parsed.root.contentType.mimeType == "text/html")
        #expect(defectNames(parsed) == ["ObsoleteHeaderSyntax"])
    }

    @Test func aLeadingContinuationLineIsIgnoredWithADefect() {
        let parsed = parse(" stray\nSubject: x\n\nbody")
        #expect(defectNames(parsed) == ["FirstHeaderLineIsContinuation"])
        #expect(parsed.root.header("subject") == "x")
    }

    @Test func anMboxEnvelopeLineBeforeTheHeaderIsSkipped() {
        let parsed = parse("From sender@example.org Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody")
        #expect(parsed.defects.isEmpty)
        #expect(parsed.root.header("subject") == "x")
        #expect(text(of: parsed.root) == "body")
    }

    @Test func aHeaderWithoutBodyHasAnEmptyBody() {
        let parsed = parse("Subject: only a header\n")
        #expect(parsed.root.bodyRange.isEmpty)
        #expect(parsed.root.header("subject") == "only a header")
    }

    @Test func headerAndBodyRangesPointIntoTheRawMessage() {
        let raw = bytes("Subject: x\n\nbody")
        let parsed = MIMEParser().parse(raw)
        #expect(Array(raw[parsed.root.headerRange]) == Array("Subject: x\r\n".utf8))
        #expect(Array(raw[parsed.root.bodyRange]) == Array("body".utf8))
        #expect(Array(parsed.root.body) == Array("body".utf8))
    }

    @Test func decodedHeaderDecodesEncodedWords() {
        let parsed = parse("Subject: =?UTF-8?B?5pel5pys6Kqe?= and =?iso-8859-1?q?caf=E9?=\n\n")
        #expect(parsed.root.decodedHeader("subject") == "日本語 and café")
    }

    @Test func carriageReturnOnlyLineEndsAreReadAsLineEnds() {
        let raw = Array("Content-Type: multipart/mixed; boundary=b\r\r--b\rContent-Type: image/png; name=cr.png\r\rPNG\r--b--\r".utf8)
        let parsed = MIMEParser().parse(raw)
        #expect(parsed.leaves.map(\.filename) == ["cr.png"])
        #expect(parsed.leaves.first?.decoded() == Array("PNG".utf8))
        #expect(parsed.defects.map(\.name) == ["BareCarriageReturnLineEnds"])
    }

    @Test func anEmptyMessageIsOneEmptyTextPart() {
        let parsed = MIMEParser().parse([UInt8]())
        #expect(parsed.leaves.count == 1)
        #expect(parsed.root.path == "1")
        #expect(parsed.root.decoded().isEmpty)
    }
}
