import MIME
import Testing

/// Messages that can honestly be read two ways: the defect is recorded and every reading's
/// leaves are exposed, so a scanner cannot be steered to the harmless one (CVE-2024-28054).
@Suite struct AmbiguityTests {
    @Test func twoBoundaryParametersExposeBothSplits() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary="first"; boundary="second"

        --first
        Content-Type: text/plain

        harmless
        --first--
        --second
        Content-Type: application/x-msdownload; name="evil.exe"
        Content-Transfer-Encoding: base64

        TVqQAA==
        --second--
        """)
        #expect(defectNames(parsed).contains("MultipleBoundaryParameters"))
        #expect(parsed.leaves.map { text(of: $0) } == ["harmless"])
        // Read with the second boundary, and (past the first one's close delimiter) as a part
        // hidden in the epilogue: both readings show the program.
        #expect(defectNames(parsed).contains("PartInEpilogue"))
        let hidden = parsed.alternativeLeaves
        #expect(hidden.map(\.filename) == ["evil.exe", "evil.exe"])
        #expect(hidden.first?.decoded() == [0x4D, 0x5A, 0x90, 0x00])
        #expect(hidden.first?.reading?.contains("boundary parameter 2") == true)
    }

    @Test func twoContentTypeHeadersExposeBothReadings() {
        let parsed = parse("""
        Content-Type: text/plain
        Content-Type: multipart/mixed; boundary=x

        --x
        Content-Type: application/zip; name=p.zip

        PK
        --x--
        """)
        #expect(defectNames(parsed).contains("ConflictingContentTypes"))
        #expect(parsed.leaves.map(\.contentType.mimeType) == ["text/plain"])
        #expect(parsed.alternativeLeaves.map(\.filename) == ["p.zip"])
        #expect(parsed.alternativeLeaves.map(\.path) == ["1"])
    }

    @Test func twoTransferEncodingsExposeBothDecodings() {
        let parsed = parse("""
        Content-Type: application/octet-stream
        Content-Transfer-Encoding: 7bit
        Content-Transfer-Encoding: base64

        TVqQAA==
        """)
        #expect(defectNames(parsed).contains("ConflictingTransferEncodings"))
        #expect(parsed.leaves.first?.transferEncoding == "7bit")
        #expect(parsed.alternativeLeaves.first?.transferEncoding == "base64")
        #expect(parsed.alternativeLeaves.first?.decoded() == [0x4D, 0x5A, 0x90, 0x00])
    }

    @Test func aBase64EncodedEnclosedMessageIsAlsoReadDecoded() throws {
        // U3ViamVjdDogaW5uZXINCkNvbnRlbnQtVHlwZTogYXBwbGljYXRpb24vemlwOyBuYW1lPWkuemlwDQoNClBL
        // is "Subject: inner\r\nContent-Type: application/zip; name=i.zip\r\n\r\nPK".
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: message/rfc822
        Content-Transfer-Encoding: base64

        U3ViamVjdDogaW5uZXINCkNvbnRlbnQtVHlwZTogYXBwbGljYXRpb24vemlwOyBuYW1lPWkuemlwDQoNClBL
        --b--
        """)
        #expect(defectNames(parsed) == ["EncodedMessagePart"])
        #expect(parsed.leaves.map(\.contentType.mimeType) == ["message/rfc822"])
        let inner = try #require(parsed.alternativeLeaves.first)
        #expect(inner.path == "1.1")
        #expect(inner.filename == "i.zip")
        #expect(inner.decoded() == Array("PK".utf8))
        #expect(inner.reading?.contains("decoded from base64") == true)
    }

    @Test func aBase64EncodedMultipartIsAlsoReadDecoded() {
        // LS14DQoNCmhpZGRlbg0KLS14LS0NCg== is "--x\r\n\r\nhidden\r\n--x--\r\n".
        let parsed = parse("Content-Type: multipart/mixed; boundary=x\nContent-Transfer-Encoding: base64\n\nLS14DQoNCmhpZGRlbg0KLS14LS0NCg==\n")
        #expect(defectNames(parsed).contains("InvalidMultipartTransferEncoding"))
        #expect(parsed.alternativeLeaves.map { text(of: $0) } == ["hidden"])
        #expect(parsed.alternativeLeaves.map(\.path) == ["1"])
    }

    @Test func aStrayLineInTheHeaderAlsoGetsTheReadingThatSkipsIt() {
        // Python starts the body at the stray line; readers that skip it see the attachment.
        let parsed = parse("""
        Subject: hello
        this line is no header field
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: application/zip; name=hidden.zip
        Content-Transfer-Encoding: base64

        UEsDBA==
        --b--
        """)
        #expect(defectNames(parsed).contains("MissingHeaderBodySeparator"))
        #expect(parsed.leaves.map(\.contentType.mimeType) == ["text/plain"])
        #expect(parsed.alternativeLeaves.map(\.filename) == ["hidden.zip"])
        #expect(parsed.alternativeLeaves.first?.decoded() == [0x50, 0x4B, 0x03, 0x04])
    }

    @Test func aBoundaryLineWithTrailingTextAlsoGetsThePrefixMatchingReading() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary=b

        --b

        visible
        --b-and-more
        Content-Type: application/x-msdownload; name=x.exe

        MZ
        --b--
        """)
        #expect(defectNames(parsed) == ["BoundaryPrefixLine"])
        #expect(parsed.leaves.count == 1)
        // The first part ends earlier in that reading, so it is a different leaf there too.
        #expect(parsed.alternativeLeaves.map { text(of: $0) } == ["visible", "MZ"])
        #expect(parsed.alternativeLeaves.map(\.filename) == [nil, "x.exe"])
    }

    @Test func identicalDuplicatesAreReportedButNotAmbiguous() {
        let parsed = parse("""
        Content-Type: multipart/mixed; boundary=b; boundary=b
        Content-Transfer-Encoding: 7bit
        Content-Transfer-Encoding: 7BIT

        --b

        x
        --b--
        """)
        #expect(parsed.defects.map(\.name) == ["DuplicateHeader"])
        #expect(parsed.alternativeLeaves.isEmpty)
    }

    @Test func aParameterGivenTwiceWithDifferentValuesIsADefectAndTheFirstCounts() {
        let parsed = parse("Content-Type: text/plain; charset=utf-8; charset=koi8-r\n\n")
        #expect(parsed.root.charset == "utf-8")
        #expect(defectNames(parsed) == ["DuplicateParameter"])
    }

    @Test func alternativeFileNamesAreBoundedToo() {
        var text = "Content-Type: application/octet-stream"
        for index in 0..<500 { text += "\nContent-Disposition: attachment; filename=f\(index).exe" }
        let parsed = parse(text + "\n\nMZ", limits: .init(maxAlternativeReadings: 8))
        #expect(parsed.alternativeLeaves.count == 8)
        #expect(defectNames(parsed).contains("TooManyAlternativeReadings"))
    }

    @Test func alternativeReadingsAreBounded() {
        var text = "Content-Type: multipart/mixed; boundary=b0"
        for index in 1...50 { text += "; boundary=b\(index)" }
        text += "\n\n--b0\n\nx\n--b0--\n"
        let parsed = parse(text, limits: .init(maxAlternativeReadings: 8))
        #expect(defectNames(parsed).contains("TooManyAlternativeReadings"))
        #expect(parsed.alternativeLeaves.count <= 8)
    }
}
