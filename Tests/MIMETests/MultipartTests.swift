import MIME
import Testing

@Suite struct MultipartTests {
    static let simple = """
    From: a@example.org
    Content-Type: multipart/mixed; boundary="XYZ"

    preamble
    --XYZ
    Content-Type: text/plain; charset=utf-8

    hello
    --XYZ
    Content-Type: application/pdf; name="a.pdf"
    Content-Transfer-Encoding: base64

    JVBERi0xLjQ=
    --XYZ--
    epilogue
    """

    @Test func splitsPartsWithPathsTypesAndDecodedContent() {
        let parsed = parse(Self.simple)
        #expect(parsed.root.path == "")
        #expect(parsed.root.contentType.mimeType == "multipart/mixed")
        #expect(parsed.leaves.map(\.path) == ["1", "2"])
        #expect(parsed.leaves.map(\.contentType.mimeType) == ["text/plain", "application/pdf"])
        #expect(text(of: parsed.leaves[0]) == "hello")
        #expect(text(of: parsed.leaves[1]) == "%PDF-1.4")
        #expect(parsed.leaves[1].filename == "a.pdf")
        #expect(parsed.leaves[0].charset == "utf-8")
        #expect(parsed.leaves[1].transferEncoding == "base64")
        #expect(parsed.defects.isEmpty)
        #expect(parsed.alternativeLeaves.isEmpty)
    }

    @Test func bareLineFeedsReadLikeCRLF() {
        let parsed = parse(Self.simple, crlf: false)
        #expect(parsed.leaves.map(\.path) == ["1", "2"])
        #expect(text(of: parsed.leaves[0]) == "hello")
        #expect(parsed.defects.isEmpty)
    }
}

/// Nesting, enclosed messages, and the boundary cases of RFC 2046 §5.1.1.
@Suite struct MultipartStructureTests {
    @Test func nestedMultipartsGetIMAPSectionPaths() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain

        plain
        --inner
        Content-Type: text/html

        <p>html</p>
        --inner--
        --outer
        Content-Type: image/png; name=x.png
        Content-Transfer-Encoding: base64

        iVBORw==
        --outer--
        """)
        #expect(parsed.leaves.map(\.path) == ["1.1", "1.2", "2"])
        #expect(parsed.allParts.map(\.path) == ["", "1", "1.1", "1.2", "2"])
        #expect(parsed.leaves.map(\.contentType.mimeType) == ["text/plain", "text/html", "image/png"])
        #expect(text(of: parsed.leaves[1]) == "<p>html</p>")
        #expect(parsed.defects.isEmpty)
    }

    @Test func preambleAndEpilogueAreNotParts() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=b\n\nignore me\n--b\n\nx\n--b--\nand me\n")
        #expect(parsed.leaves.count == 1)
        #expect(text(of: parsed.leaves[0]) == "x")
    }

    @Test func boundaryLinesMayEndInWhiteSpace() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=b\n\n--b  \t\n\nx\n--b \n\ny\n--b-- \n")
        #expect(parsed.leaves.map { text(of: $0) } == ["x", "y"])
        #expect(parsed.defects.isEmpty)
    }

    @Test func aBoundaryParameterEndingInWhiteSpaceStillMatches() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=\"b \"\n\n--b\n\nx\n--b \n\ny\n--b--\n")
        #expect(parsed.leaves.map { text(of: $0) } == ["x", "y"])
        #expect(defectNames(parsed) == ["InvalidBoundary"])
    }

    @Test func aMissingFinalBoundaryEndsTheLastPartAtTheEnd() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\nlast part\n")
        #expect(parsed.leaves.map { text(of: $0) } == ["x", "last part\r\n"])
        #expect(defectNames(parsed) == ["MissingFinalBoundary"])
    }

    @Test func boundariesThatArePrefixesOfEachOtherAreToldApart() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary="abc"

        --abc
        Content-Type: multipart/mixed; boundary="abcdef"

        --abcdef

        inner one
        --abcdef

        inner two
        --abcdef--
        --abc

        outer two
        --abc--
        """)
        #expect(parsed.leaves.map(\.path) == ["1.1", "1.2", "2"])
        #expect(parsed.leaves.map { text(of: $0) } == ["inner one", "inner two", "outer two"])
        // Told apart, but worth a defect: a reader that matches by prefix splits elsewhere.
        #expect(defectNames(parsed) == ["NestedBoundaryPrefix"])
        #expect(parsed.defects.first?.path == "1")
    }

    @Test func anOuterBoundaryEndsAnInnerMultipartMissingItsClose() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: multipart/mixed; boundary=inner

        --inner

        a
        --outer

        b
        --outer--
        """)
        #expect(parsed.leaves.map { text(of: $0) } == ["a", "b"])
        #expect(parsed.defects.map(\.name) == ["MissingFinalBoundary"])
        #expect(parsed.defects.first?.path == "1")
    }

    @Test func aLineThatOnlyStartsWithTheBoundaryIsNoBoundaryButADefect() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--bogus\ny\n--b--\n")
        #expect(parsed.leaves.map { text(of: $0) } == ["x\r\n--bogus\r\ny"])
        #expect(defectNames(parsed) == ["BoundaryPrefixLine"])
    }

    @Test func aMultipartWithoutBoundaryIsOneLeaf() {
        let parsed = parse("Content-Type: multipart/mixed\n\n--b\n\nx\n--b--\n")
        #expect(parsed.leaves.count == 1)
        #expect(parsed.root.path == "1")
        #expect(defectNames(parsed) == ["NoBoundaryInMultipart"])
    }

    @Test func aBoundaryThatNeverOccursLeavesTheBodyAsOneLeaf() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=zzz\n\njust text\n")
        #expect(parsed.leaves.count == 1)
        #expect(text(of: parsed.leaves[0]) == "just text\r\n")
        #expect(defectNames(parsed) == ["StartBoundaryNotFound"])
    }

    @Test func anEmptyBoundaryDelimitsWithBareDashLinesAsPythonReadsIt() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=\"\"\n\n--\nContent-Type: text/plain\n\nhello\n----\n")
        #expect(parsed.leaves.map { text(of: $0) } == ["hello"])
        #expect(defectNames(parsed) == ["InvalidBoundary"])
    }

    @Test func aMultipartWithOnlyAPreambleIsOneLeafNumberedOne() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=none\n\nOnly a preamble.\n--none--\n")
        #expect(parsed.leaves.map(\.path) == ["1"])
        #expect(parsed.root.path == "1")
    }

    @Test func aPartWithoutHeaderIsPlainText() {
        let parsed = parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nno header\n--b--\n")
        #expect(parsed.leaves[0].contentType.mimeType == "text/plain")
        #expect(parsed.leaves[0].headerRange.isEmpty)
    }

    @Test func digestPartsDefaultToEnclosedMessages() {
        let parsed = parse("""
        Content-Type: multipart/digest; boundary=d

        --d

        Subject: first

        one
        --d--
        """)
        #expect(parsed.allParts.map(\.contentType.mimeType) == ["multipart/digest", "message/rfc822", "text/plain"])
        #expect(parsed.leaves.map(\.path) == ["1.1"])
        #expect(text(of: parsed.leaves[0]) == "one")
    }

    @Test func enclosedMessagesAreDescendedInto() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b

        cover note
        --b
        Content-Type: message/rfc822

        Subject: forwarded
        Content-Type: multipart/mixed; boundary=fwd

        --fwd

        forwarded text
        --fwd
        Content-Type: application/zip; name=f.zip

        PK
        --fwd--
        --b
        Content-Type: message/global

        Subject: single

        single body
        --b--
        """)
        #expect(parsed.leaves.map(\.path) == ["1", "2.1", "2.2", "3.1"])
        #expect(parsed.leaves.map { text(of: $0) } == ["cover note", "forwarded text", "PK", "single body"])
        #expect(parsed.leaves[2].filename == "f.zip")
        #expect(parsed.part(at: "2")?.contentType.mimeType == "message/rfc822")
        #expect(parsed.defects.isEmpty)
    }

    @Test func anEncodedEnclosedMessageIsOneLeafWithADefect() {
        let parsed = parse("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQpi\n")
        #expect(parsed.leaves.count == 1)
        #expect(defectNames(parsed) == ["EncodedMessagePart"])
        #expect(text(of: parsed.leaves[0]) == "Subject: x\r\n\r\nb")
    }
}
