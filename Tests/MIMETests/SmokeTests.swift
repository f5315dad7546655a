import MIME
import Testing

@Test func singlePartMessageHasRootPathOne() {
    let parsed = MIMEParser().parse(Array("Subject: hi\r\n\r\nbody\r\n".utf8))
    #expect(parsed.root.path == "1")
    #expect(parsed.leaves.count == 1)
}
