import Glibc
import MilterClient
import Testing

/// What the client puts on the wire, checked by a scripted fake milter that records every packet.
@Suite("Conversation with a scripted milter")
struct ConversationTests {
    private static let quick: MilterConnection.Options = {
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(2)
        options.endOfMessageTimeout = .seconds(2)
        return options
    }()

    @Test func offerNamesVersionSixEveryActionAndEveryStep() throws {
        let offer = Recorded<[UInt8]>([])
        let fake = try FakeMilter { peer in
            let payload = peer.negotiate() ?? []
            offer.update { $0 = payload }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec)
        connection.close()
        fake.finish()
        #expect(offer.value == uint32(6) + uint32(0x1FF) + uint32(0x1F_FFFF))
    }

    @Test(arguments: [FakeMilter.Transport.tcp4, .tcp6])
    func tcpConnectionsCarryTheSameConversation(transport: FakeMilter.Transport) throws {
        let fake = try FakeMilter(on: transport) { peer in
            peer.negotiate()
            guard peer.readPacket()?.command == "H" else { return }
            peer.send("y", cString("421 4.3.2 going away"))
            _ = peer.drain()
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        #expect(try connection.helo("mx") == .replyCode(try SMTPReply(milterText: "421 4.3.2 going away")))
        try connection.quit()
    }

    @Test func disabledStepsAreNotSentAndNoReplyStepsAreNotAwaited() throws {
        let letters = Recorded<[Character]>([])
        let fake = try FakeMilter { peer in
            // NOHELO, NR_HDR, NR_EOH, NR_CONN: only end of message and RCPT are answered.
            peer.negotiate(steps: 0x2 | 0x80 | 0x4_0000 | 0x1000 | 0x4 | 0x200)
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
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        #expect(try connection.connect(hostname: "h", address: .unknown) == .noReply)
        #expect(try connection.helo("mx") == .stepDisabled)
        #expect(try connection.mail(from: "<a@b>") == .stepDisabled)
        #expect(try connection.recipient("<c@d>") == .continue)
        #expect(try connection.data() == .stepDisabled)
        #expect(try connection.header(name: "Subject", value: "x") == .noReply)
        #expect(try connection.endOfHeaders() == .noReply)
        #expect(try connection.body(Array("hi\r\n".utf8)) == .continue)
        #expect(try connection.endOfMessage().response == .accept)
        try connection.quit()
        fake.finish()
        #expect(letters.value == ["C", "R", "L", "N", "B", "E", "Q"])
    }

    @Test func macrosPrecedeTheirStepWithTheStepLetter() throws {
        let packets = Recorded<[[UInt8]]>([])
        let fake = try FakeMilter { peer in
            peer.negotiate()
            while let packet = peer.readPacket() {
                packets.update { $0.append([UInt8(ascii: packet.command.unicodeScalars.first ?? "?")] + packet.payload) }
                if packet.command == "H" { peer.send("c") }
            }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        _ = try connection.helo("mx", macros: ["{tls_version}": "TLSv1.3", "j": "host"])
        try connection.quit()
        fake.finish()
        let expectedMacro = Array("DH".utf8) + cString("j") + cString("host") + cString("{tls_version}") + cString("TLSv1.3")
        #expect(packets.value == [expectedMacro, Array("H".utf8) + cString("mx"), Array("Q".utf8)])
    }

    @Test func bodyGoesInChunksOfAtMost65535Bytes() throws {
        let sizes = Recorded<[Int]>([])
        let fake = try FakeMilter { peer in
            peer.negotiate()
            while let packet = peer.readPacket(), packet.command == "B" {
                sizes.update { $0.append(packet.payload.count) }
                peer.send("c")
            }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        #expect(try connection.body([UInt8](repeating: 0x41, count: 150_000)) == .continue)
        connection.close()
        fake.finish()
        #expect(sizes.value == [65535, 65535, 18930])
    }

    @Test func skipStopsTheBody() throws {
        let letters = Recorded<[Character]>([])
        let fake = try FakeMilter { peer in
            peer.negotiate()
            while let packet = peer.readPacket() {
                letters.update { $0.append(packet.command) }
                switch packet.command {
                case "B": peer.send("s")
                case "E": peer.send("c")
                default: peer.send("c")
                }
            }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        let message = Array("Subject: s\r\n\r\n".utf8) + [UInt8](repeating: 0x42, count: 200_000)
        let result = try connection.sendMessage(message, envelope: MilterEnvelope(sender: "a@b", recipients: [.init("c@d")]))
        try connection.quit()
        fake.finish()
        #expect(result.bodySkipped)
        #expect(result.response == .continue)
        #expect(letters.value == ["M", "R", "T", "L", "N", "B", "E", "Q"])
    }

    @Test func endOfMessageCollectsEveryModificationThroughProgress() throws {
        let reply = "550-5.7.1 one\r\n550 5.7.1 two"
        let fake = try FakeMilter { peer in
            peer.negotiate()
            guard peer.readPacket()?.command == "E" else { return }
            peer.send("h", cString("X-Added") + cString("yes"))
            peer.send("p")
            peer.send("i", uint32(0) + cString("X-Top") + cString("first"))
            peer.send("m", uint32(2) + cString("Received") + cString(""))
            peer.send("b", Array("new ".utf8))
            peer.send("2", cString("<n@x>") + cString("NOTIFY=NEVER"))
            peer.send("-", cString("<old@x>"))
            peer.send("e", cString("<s@x>") + cString("SIZE=5"))
            peer.send("b", Array("body".utf8))
            peer.send("q", cString("held for review"))
            peer.send("p")
            peer.send("y", cString(reply))
            _ = peer.drain()
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        let result = try connection.endOfMessage()
        connection.close()
        #expect(result.response == .replyCode(try SMTPReply(milterText: reply)))
        #expect(result.modifications == [
            .addHeader(name: "X-Added", value: "yes"),
            .progress,
            .insertHeader(index: 0, name: "X-Top", value: "first"),
            .changeHeader(name: "Received", index: 2, value: ""),
            .replaceBody(Array("new body".utf8)),
            .addRecipient("<n@x>", parameters: "NOTIFY=NEVER"),
            .deleteRecipient("<old@x>"),
            .changeFrom("<s@x>", parameters: "SIZE=5"),
            .quarantine(reason: "held for review"),
            .progress,
        ])
        #expect(result.replacedBody == Array("new body".utf8))
        #expect(result.progressCount == 2)
    }

    @Test func progressKeepsTheWaitAliveBeyondTheTimeout() throws {
        let fake = try FakeMilter { peer in
            peer.negotiate()
            guard peer.readPacket() != nil else { return }
            for _ in 0..<6 {
                usleep(250_000)
                peer.send("p")
            }
            peer.send("c")
            _ = peer.drain()
        }
        defer { fake.finish() }
        var options = Self.quick
        options.endOfMessageTimeout = .seconds(1)
        let connection = try MilterConnection.open(fake.spec, options: options)
        let result = try connection.endOfMessage()
        connection.close()
        #expect(result.response == .continue)
        #expect(result.progressCount == 6)
    }

    @Test func earlyRejectEndsTheTransactionWithAbort() throws {
        let letters = Recorded<[Character]>([])
        let fake = try FakeMilter { peer in
            peer.negotiate()
            while let packet = peer.readPacket() {
                letters.update { $0.append(packet.command) }
                if packet.command == "M" { peer.send("r") }
            }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        let result = try connection.sendMessage(Array("A: b\n\nx\n".utf8), envelope: MilterEnvelope(sender: "a@b", recipients: [.init("c@d")]))
        connection.close()
        fake.finish()
        #expect(result.response == .reject)
        #expect(result.stage == .mail)
        #expect(letters.value == ["M", "A"])
    }

    @Test func quitNewConnectionKeepsTheSocketForTheNextSession() throws {
        let letters = Recorded<[Character]>([])
        let fake = try FakeMilter { peer in
            peer.negotiate()
            while let packet = peer.readPacket() {
                letters.update { $0.append(packet.command) }
                if packet.command == "C" { peer.send("c") }
            }
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        #expect(try connection.connect(hostname: "one", address: .unix(path: "/run/a")) == .continue)
        try connection.abort()
        try connection.quitNewConnection()
        #expect(connection.isOpen)
        #expect(try connection.connect(hostname: "two", address: .unknown) == .continue)
        try connection.quit()
        #expect(!connection.isOpen)
        fake.finish()
        #expect(letters.value == ["C", "A", "K", "C", "Q"])
    }

    @Test func headerWithNulIsRefusedBeforeSending() throws {
        let fake = try FakeMilter { peer in
            peer.negotiate()
            _ = peer.drain()
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        let raw: [UInt8] = Array("X-Bad: a".utf8) + [0] + Array("b\n\nbody\n".utf8)
        do {
            _ = try connection.sendMessage(raw, envelope: MilterEnvelope(sender: "a@b", recipients: [.init("c@d")]))
            Issue.record("sent a NUL header")
        } catch let error as MilterClientError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("X-Bad"))
            #expect(connection.isOpen)
        }
        connection.close()
    }
}
