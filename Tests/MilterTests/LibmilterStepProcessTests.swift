import Glibc
import MilterClient
import Testing

/// What each callback receives and answers through real libmilter: `sample-milter --report`
/// adds one `X-Sample-Seen` header per step it saw (issue 15, item 7).
@Suite("Every step through real libmilter", .serialized)
struct LibmilterStepProcessTests {
    static func open(_ milter: SampleMilter) throws -> MilterConnection {
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(10)
        options.endOfMessageTimeout = .seconds(10)
        return try MilterConnection.open(milter.spec, options: options)
    }

    /// The X-Sample-Seen values of an end-of-message result.
    static func seen(_ result: MilterEndOfMessageResult) -> [String] {
        result.modifications.compactMap { modification in
            if case .addHeader("X-Sample-Seen", let value) = modification { return value }
            return nil
        }
    }

    /// Sends one short message (MAIL with ESMTP arguments, two RCPTs, DATA, a header, a body).
    static func message(on connection: MilterConnection, macros: [String: String] = [:]) throws -> [String] {
        _ = try connection.mail(from: "<a@example.com>", parameters: ["SIZE=100", "BODY=8BITMIME", "SMTPUTF8"], macros: macros)
        _ = try connection.recipient("<b@example.com>", parameters: ["NOTIFY=NEVER"])
        _ = try connection.recipient("<c@example.com>")
        _ = try connection.data()
        _ = try connection.header(name: "Subject", value: "hi")
        _ = try connection.endOfHeaders()
        _ = try connection.body(Array("hello\r\n".utf8))
        return seen(try connection.endOfMessage())
    }

    @Test(arguments: [
        (PeerAddress.inet(address: "192.0.2.10", port: 40_000), "AF_INET 192.0.2.10:40000"),
        (.inet6(address: "2001:db8::5", port: 4000), "AF_INET6 [2001:db8::5]:4000"),
        (.unix(path: "/run/postfix/smtpd.sock"), "AF_UNIX /run/postfix/smtpd.sock"),
    ])
    func theClientAddressReachesConnectWithItsFamily(address: PeerAddress, expected: String) throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--report"])
        defer { milter.stop() }
        let connection = try Self.open(milter)
        defer { try? connection.quit() }
        _ = try connection.connect(hostname: "client.example.com", address: address)
        #expect(try Self.message(on: connection).first == "connect client.example.com \(expected)")
    }

    @Test func anIPv6ClientWithAScopeIsDroppedByLibmilterAndTheMilterCarriesOn() throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--report"])
        defer { milter.stop() }
        let connection = try Self.open(milter)
        // libmilter parses the client address with inet_pton, which takes no zone (`%lo`): it
        // closes that connection rather than call connect. The filter itself never sees a zone.
        #expect(throws: MilterClientError.self) {
            _ = try connection.connect(hostname: "link.example", address: .inet6(address: "fe80::1%lo", port: 25))
        }
        connection.close()
        let next = try Self.open(milter)
        defer { try? next.quit() }
        _ = try next.connect(hostname: "link.example", address: .inet6(address: "fe80::1", port: 25))
        #expect(try Self.message(on: next).first == "connect link.example AF_INET6 [fe80::1]:25")
    }

    @Test func heloMailRcptDataUnknownHeadersAndBodyReachTheirCallbacks() throws {
        let milter = try SampleMilter.start(transport: .inet, arguments: ["--report"])
        defer { milter.stop() }
        let connection = try Self.open(milter)
        defer { try? connection.quit() }
        _ = try connection.connect(hostname: "client.example.com", address: .inet(address: "192.0.2.10", port: 40_000))
        _ = try connection.helo("helo.example.com")
        #expect(try connection.unknownCommand("XFOO bar") == .continue)
        #expect(try Self.message(on: connection) == [
            "connect client.example.com AF_INET 192.0.2.10:40000", "helo helo.example.com", "unknown XFOO bar",
            "mail <a@example.com> SIZE=100 BODY=8BITMIME SMTPUTF8", "rcpt <b@example.com> NOTIFY=NEVER",
            "rcpt <c@example.com>", "data", "header Subject:hi", "eoh", "body 7",
        ])
    }

    @Test func aMacroListMakesTheMTASendOnlyThoseMacros() throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--report", "--macro-list", "envelopeFrom:{auth_type}"])
        defer { milter.stop() }
        let connection = try Self.open(milter)
        defer { try? connection.quit() }
        _ = try connection.connect(hostname: "c", address: .inet(address: "192.0.2.1", port: 1))
        let seen = try Self.message(on: connection, macros: ["{auth_type}": "PLAIN", "{auth_authen}": "bob"])
        #expect(seen.contains("macro {auth_type}=PLAIN"))
        #expect(!seen.contains("macro {auth_authen}=bob"))
    }

    /// The optional steps by name, as `--no-reply` takes them.
    static let optionalSteps = ["connect", "helo", "envelopeFrom", "envelopeRecipient", "data", "unknown", "header",
                                "endOfHeaders", "body"]

    @Test(arguments: optionalSteps)
    func everyNoReplyFlagIsNegotiatedAndTheMessageStillCompletes(callback: String) throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--report", "--no-reply", callback])
        defer { milter.stop() }
        let connection = try Self.open(milter)
        defer { try? connection.quit() }
        let flag = try #require(OptionalStep(rawValue: callback)?.noReplyFlag)
        _ = try connection.connect(hostname: "client.example.com", address: .inet(address: "192.0.2.10", port: 1))
        #expect(connection.negotiated?.steps.contains(flag) == true, "\(flag) not negotiated")
        _ = try connection.helo("helo.example.com")
        _ = try connection.unknownCommand("XFOO")
        #expect(try Self.message(on: connection).count == 10)
    }

    @Test func debugLevelBacklogAndDiagnosticsWorkThroughLibmilter() throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--report", "--debug-level", "1", "--backlog", "16"])
        defer { milter.stop() }
        for _ in 0..<2 {
            let connection = try Self.open(milter)
            _ = try connection.connect(hostname: "c", address: .inet(address: "192.0.2.1", port: 1))
            #expect(try Self.message(on: connection).count == 8)
            try connection.quit()
        }
        milter.signal(SIGUSR1)
        #expect(milter.waitForExit(within: .seconds(10)) == 0)
        #expect(milter.waitForStderr(containing: "milter.contexts_created=2", within: .seconds(5)), "\(milter.stderr)")
        #expect(milter.stderr.contains("milter.contexts_deleted=2"))
    }
}

@Suite("Envelope bytes through real libmilter", .serialized)
struct EnvelopeBytesProcessTests {
    @Test func aRecipientThatIsNotUTF8GoesBackToDeleteRecipientByteForByte() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let latin1: [UInt8] = Array("j".utf8) + [0xF6] + Array("rg@example.com".utf8)
        let utf8 = "jörg@bücher.example"
        let session = try milter.openSession()
        defer { try? session.quit() }
        // MilterEnvelope puts the angle brackets around each address, as Postfix sends them.
        let envelope = MilterEnvelope(sender: "a@example.com", recipients: [.init(EnvelopeText.string(latin1)), .init(utf8)])
        let raw = Array("Subject: x\r\nX-Sample-Action: delrcpt-received\r\n\r\nbody\r\n".utf8)
        let result = try session.sendMessage(raw, envelope: envelope)
        let sentLatin1 = [UInt8(ascii: "<")] + latin1 + [UInt8(ascii: ">")]
        #expect(result.modifications == [.deleteRecipient(EnvelopeText.string(sentLatin1)), .deleteRecipient("<\(utf8)>")])
        if case .deleteRecipient(let address) = result.modifications.first {
            #expect(EnvelopeText.bytes(address) == sentLatin1)
        }
    }
}
