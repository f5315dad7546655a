import MilterClient
import Testing

@Suite("Message splitting")
struct MilterMessageTests {
    @Test func foldedHeadersKeepTheirFoldingAsLFAndBodyGetsCRLF() {
        let raw = Array("Subject: hello\r\n\tworld\nFrom:  a@b\n\nline1\nline2\r\n".utf8)
        let message = MilterMessage(parsing: raw)
        #expect(message.headers.map(\.name) == ["Subject", "From"])
        #expect(message.headers[0].value == Array("hello\n\tworld".utf8))
        #expect(message.headers[1].value == Array("a@b".utf8))
        #expect(message.body == Array("line1\r\nline2\r\n".utf8))
    }

    @Test func leadingSpaceIsKeptWhenAsked() {
        let message = MilterMessage(parsing: Array("X:  two spaces\n\n".utf8), keepLeadingSpace: true)
        #expect(message.headers[0].value == Array("  two spaces".utf8))
    }

    @Test func eightBitHeaderBytesArePreserved() {
        let raw: [UInt8] = Array("X-Latin: caf".utf8) + [0xE9] + Array("\n\nbody".utf8)
        let message = MilterMessage(parsing: raw)
        #expect(message.headers[0].value == Array("caf".utf8) + [0xE9])
        #expect(message.body == Array("body".utf8))
    }

    @Test func aLineThatIsNotAHeaderStartsTheBody() {
        let message = MilterMessage(parsing: Array("A: 1\nthis is not a header\nB: 2\n".utf8))
        #expect(message.headers.map(\.name) == ["A"])
        #expect(message.body == Array("this is not a header\r\nB: 2\r\n".utf8))
    }

    @Test func messageWithoutBodyHasAnEmptyBody() {
        let message = MilterMessage(parsing: Array("A: 1\n".utf8))
        #expect(message.headers.count == 1)
        #expect(message.body.isEmpty)
    }
}
