import Milter
import MilterTesting
import Testing

@Suite("Raw messages in, the delivered message out (testctx)")
struct DeliveredMessageTests {
    /// Edits every part of the message at end of message and records what it saw before.
    final class Editor: MilterHandler {
        var implementedCallbacks: Set<MilterCallback> { [.header, .body] }
        private(set) var headers: [(String, String)] = []
        private(set) var chunks = 0

        func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
            headers.append((header.name, header.value))
            return .continue
        }

        func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse {
            chunks += 1
            return .continue
        }

        func endOfMessage(context: any MilterContext) throws -> MilterResponse {
            try context.insertHeader("X-Top", value: "first", at: 0)
            try context.changeHeader("subject", value: "[scanned] hello")
            try context.deleteHeader("X-Drop")
            try context.addHeader("X-Added", value: "last")
            try context.deleteRecipient("<b@example.com>")
            try context.addRecipient("<c@example.com>")
            try context.changeFrom("<bounce@example.com>")
            try context.replaceBody("new ")
            try context.replaceBody("body\r\n")
            return .continue
        }
    }

    static let raw = "From: a@example.com\nSubject: hello\nX-Drop: me\nX-Folded: one\n two\n\nline 1\nline 2\n"

    @Test func theDeliveredMessageCarriesEveryModification() throws {
        let handler = Editor()
        let connection = TestConnection(handler: handler)
        #expect(connection.sendMessage(raw: Self.raw, from: "<a@example.com>", to: ["<b@example.com>", "<d@example.com>"],
                                       chunkSize: 4) == .continue)
        // A folded header keeps its folding as LF, as Postfix sends it; the body comes in
        // 4-byte chunks with CRLF.
        #expect(handler.headers.map(\.0) == ["From", "Subject", "X-Drop", "X-Folded"])
        #expect(handler.headers[3].1 == "one\n two")
        #expect(handler.chunks == 4)
        let delivered = try #require(connection.deliveredMessage)
        #expect(delivered.sender == EnvelopeAddress("<bounce@example.com>"))
        #expect(delivered.recipients == [EnvelopeAddress("<d@example.com>"), EnvelopeAddress("<c@example.com>")])
        #expect(delivered.values(of: "Subject") == ["[scanned] hello"])
        #expect(String(decoding: delivered.raw, as: UTF8.self)
            == "X-Top: first\r\nFrom: a@example.com\r\nSubject: [scanned] hello\r\nX-Folded: one\r\n two\r\nX-Added: last\r\n\r\nnew body\r\n")
    }

    @Test func aRejectedMessageIsNotDelivered() {
        let connection = TestConnection(handler: EndOfMessageOnly { _ in .reject })
        #expect(connection.sendMessage(raw: Self.raw, from: "<a@example.com>", to: ["<b@example.com>"]) == .reject)
        #expect(connection.deliveredMessage == nil)
    }

    @Test func anUntouchedMessageIsDeliveredAsSentWithCRLF() throws {
        let connection = TestConnection(handler: EndOfMessageOnly())
        connection.sendMessage(raw: "Subject: x\n\nbody\n", from: "<a@example.com>", to: ["<b@example.com>"])
        let delivered = try #require(connection.deliveredMessage)
        #expect(delivered.raw == Array("Subject: x\r\n\r\nbody\r\n".utf8))
    }
}
