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
