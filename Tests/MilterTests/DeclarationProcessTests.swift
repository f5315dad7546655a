import MilterClient
import Testing

/// What a milter declares, checked through real libmilter: the built `sample-milter` runs as a
/// child process and `MilterClient` plays the MTA (issue 15, items 1, 3 and 4).
@Suite("sample-milter declarations and no-reply answers", .serialized)
struct DeclarationProcessTests {
    /// Runs sample-milter with `arguments`, which must make it exit non-zero; its stderr.
    static func refusal(_ arguments: [String]) throws -> String {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try SampleMilter.runToExit(arguments: ["--socket", "unix:\(directory.path)/m.sock"] + arguments)
        #expect(run.status != 0)
        return run.stderr
    }

    @Test func aCallbackImplementedButNotDeclaredIsRefusedAtRegistration() throws {
        // SampleHandler implements RCPT, header and body; leaving header out hides it.
        let stderr = try Self.refusal(["--declare", "envelopeRecipient,body"])
        #expect(stderr.contains("SampleHandler implements header but leaves it out of implementedCallbacks"), "\(stderr)")
    }

    @Test func macroListOfMoreThanFiveIsRefusedAtRegistration() throws {
        let stderr = try Self.refusal(["--macro-list", "envelopeFrom:a,b,c,d,e,f"])
        #expect(stderr.contains("smfi_setsymlist: the envelopeFrom macro list names 6 macros; at most 5 per stage"), "\(stderr)")
    }

    @Test func macroListOfFiveReachesTheMTA() throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--macro-list", "envelopeFrom:{auth_type},{auth_authen},i,j,_"])
        defer { milter.stop() }
        let session = try milter.openSession()
        defer { try? session.quit() }
        #expect(session.negotiated?.requestedMacros == [.envelopeFrom: ["{auth_type}", "{auth_authen}", "i", "j", "_"]])
    }

    @Test func rejectFromANoReplyHeaderReachesTheMTAAtTheNextStepWithAReply() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let session = try milter.openSession()
        #expect(session.negotiated?.steps.contains(.noReplyHeader) == true)
        let result = try milter.send(actions: ["reject-in-header"], on: session)
        #expect(result.response == SampleMilterProcessTests.reply("550 5.7.1 rejected in header"))
        #expect(result.stage != .endOfMessage)
    }

    @Test func anAnswerOwedWhenTheMessageAbortsIsLoggedAsLost() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let session = try milter.openSession()
        _ = try session.mail(from: "<a@example.com>")
        _ = try session.recipient("<b@example.com>")
        _ = try session.header(name: "X-Sample-Action", value: "reject-in-header")
        try session.abort()
        // Quit only after the log line: Debian's libmilter worker pool may drop a session whose
        // socket has already hung up before it reads the commands still buffered.
        defer { try? session.quit() }
        let logged = milter.waitForStderr(containing: "never reached the MTA", within: .seconds(5))
        #expect(logged, "stderr: \(milter.stderr)")
        #expect(milter.stderr.contains("xxfi_header"))
    }
}

@Suite("sample-milter whose handler cannot be made", .serialized)
struct FactoryFailureProcessTests {
    @Test func aConnectionWhoseHandlerCannotBeMadeGetsThePolicyReply() throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--fail-factory", "--name", "broken"])
        defer { milter.stop() }
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(10)
        let connection = try MilterConnection.open(milter.spec, options: options)
        defer { try? connection.quit() }
        let answer = try connection.connect(hostname: "c", address: .inet(address: "192.0.2.1", port: 1))
        #expect(answer == SampleMilterProcessTests.reply("451 4.3.0 broken: untrapped exception in connect"))
    }
}
