import MIME
import Testing

/// Content-Type and Content-Disposition parameters (RFC 2045 §5.1, RFC 2231).
@Suite struct ParameterTests {
    @Test func typeAndParametersAreLowercasedWhereTheRFCSaysCaseDoesNotMatter() {
        let parsed = parse("Content-Type: Text/HTML; CharSet=\"UTF-8\"; Format=flowed\n\n")
        let type = parsed.root.contentType
        #expect(type.type == "text" && type.subtype == "html")
        #expect(type.mimeType == "text/html")
        #expect(type.parameter("charset") == "UTF-8")
        #expect(parsed.root.charset == "utf-8")
        #expect(type.parameter("format") == "flowed")
    }

    @Test func quotedValuesKeepSemicolonsAndEscapedQuotes() {
        let parsed = parse(#"Content-Type: application/octet-stream; name="a;b \"c\".bin"; x=1"# + "\n\n")
        #expect(parsed.root.filename == #"a;b "c".bin"#)
        #expect(parsed.root.contentType.parameter("x") == "1")
    }

    @Test func rfc2231ContinuationsAreJoinedInSectionOrder() {
        let parsed = parse("""
        Content-Type: application/pdf
        Content-Disposition: attachment;
         filename*1="-report.pdf";
         filename*0="quarterly"

        """)
        #expect(parsed.root.filename == "quarterly-report.pdf")
        #expect(parsed.defects.isEmpty)
    }

    @Test func rfc2231CharsetAndPercentEncodingAreDecoded() {
        let parsed = parse("""
        Content-Disposition: attachment; filename*=iso-8859-1'fr'%E9t%E9.txt
        Content-Type: text/plain; name*0*=utf-8''%E6%97%A5; name*1*=%E6%9C%AC; name*2=".txt"

        """)
        #expect(parsed.root.filename == "été.txt")
        #expect(parsed.root.contentType.parameter("name") == "日本.txt")
    }

    @Test func anRFC2231ValueWithAMissingSectionIsJoinedAndTheValueBeforeTheGapIsAReading() {
        // Python stops at the gap; "invoice.pdf" there could be "invoice.pdf.exe" here.
        let parsed = parse("Content-Type: text/plain; name*0=invoice; name*1=.pdf; name*3=.exe\n\n")
        #expect(parsed.root.contentType.parameter("name") == "invoice.pdf.exe")
        #expect(parsed.root.filename == "invoice.pdf.exe")
        #expect(defectNames(parsed) == ["InvalidRFC2231Parameter", "ConflictingFileNames"])
        #expect(parsed.alternativeLeaves.map(\.filename) == ["invoice.pdf"])
    }

    @Test func anUnterminatedQuoteRunsToTheEndWithADefect() {
        let parsed = parse("Content-Type: text/plain; name=\"open.txt\n\n")
        #expect(parsed.root.filename == "open.txt")
        #expect(defectNames(parsed) == ["InvalidParameter"])
    }

    @Test func aParameterWithoutValueIsADefect() {
        let parsed = parse("Content-Type: text/plain; flowed; charset=us-ascii\n\n")
        #expect(parsed.root.charset == "us-ascii")
        #expect(defectNames(parsed) == ["InvalidParameter"])
    }

    @Test func anInvalidContentTypeFallsBackToPlainText() {
        let parsed = parse("Content-Type: texthtml; charset=utf-8\n\n")
        #expect(parsed.root.contentType.mimeType == "text/plain")
        #expect(parsed.root.charset == "utf-8")
        #expect(defectNames(parsed) == ["InvalidContentType"])
    }

    @Test func commentsAfterTheTypeAreIgnored() {
        let parsed = parse("Content-Type: text/plain (a comment); charset=utf-8\n\n")
        #expect(parsed.root.contentType.mimeType == "text/plain")
        #expect(parsed.root.charset == "utf-8")
    }

    @Test func dispositionIsLowercased() {
        let parsed = parse("Content-Disposition: ATTACHMENT; filename=x.zip\n\n")
        #expect(parsed.root.disposition == "attachment")
        #expect(parsed.root.filename == "x.zip")
    }
}
