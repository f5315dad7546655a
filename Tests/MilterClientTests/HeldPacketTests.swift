import Dispatch
import MilterClient
import Testing

/// `holdsPacketsUntilReply`: packets that expect no answer wait for the next one that does and
/// go out with it in one write, in the same order, as Postfix's buffered streams send them.
@Suite("Holding packets until one expects a reply")
struct HeldPacketTests {
    private static func options(holding: Bool) -> MilterConnection.Options {
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(2)
        options.endOfMessageTimeout = .seconds(2)
        options.holdsPacketsUntilReply = holding
        return options
    }

    /// Runs connect (no reply) then a header (no reply) and a recipient (answered); returns what
    /// the fake milter had received when the unanswered steps had returned, and the letters it read.
    private func converse(holding: Bool) throws -> (queuedBeforeRecipient: Int, letters: [Character], responses: [MilterResponse]) {
        let queued = Recorded(-1)
        let letters = Recorded<[Character]>([])
        let unansweredSent = DispatchSemaphore(value: 0)
        let measured = DispatchSemaphore(value: 0)
        let fake = try FakeMilter { peer in
            // NR_CONN, NR_HDR, NOHELO.
            peer.negotiate(steps: 0x1000 | 0x80 | 0x2)
            // A unix-socket write lands in the peer's queue before send() returns.
            unansweredSent.wait()
            queued.update { $0 = peer.queuedBytes() }
            measured.signal()
            while let packet = peer.readPacket() {
                letters.update { $0.append(packet.command) }
                switch packet.command {
                case "R", "B": peer.send("c")
                case "E": peer.send("a")
                default: break
                }
            }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.options(holding: holding))
        var responses = [try connection.connect(hostname: "h", address: .unknown, macros: ["j": "mx"])]
        responses.append(try connection.header(name: "Subject", value: "x"))
        unansweredSent.signal()
        // The recipient would flush what is held: look first.
        measured.wait()
        responses.append(try connection.recipient("<c@d>"))
        responses.append(try connection.body(Array("hi\r\n".utf8)))
        responses.append(try connection.endOfMessage().response)
        try connection.quit()
        fake.finish()
        return (queued.value, letters.value, responses)
    }

    @Test func unansweredPacketsWaitForTheNextAnsweredOne() throws {
        let held = try converse(holding: true)
        #expect(held.queuedBeforeRecipient == 0)
        #expect(held.letters == ["D", "C", "L", "R", "B", "E", "Q"])
        #expect(held.responses == [.noReply, .noReply, .continue, .continue, .accept])
    }

    @Test func withoutHoldingEachPacketIsWrittenAtOnce() throws {
        let plain = try converse(holding: false)
        #expect(plain.queuedBeforeRecipient > 0)
        #expect(plain.letters == ["D", "C", "L", "R", "B", "E", "Q"])
        #expect(plain.responses == [.noReply, .noReply, .continue, .continue, .accept])
    }
}
