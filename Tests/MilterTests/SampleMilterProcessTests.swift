import Dispatch
import Foundation
import Glibc
import MilterClient
import Synchronization
import Testing

/// End to end: the built `sample-milter` executable runs as a child process (libmilter's main
/// runs once per process) on a real unix or inet socket, driven by `MilterClient` exactly as an
/// MTA would drive it. Every `X-Sample-Action` of issue #2 must come back as the matching
/// protocol packet, byte for byte.
@Suite("sample-milter as a separate process", .serialized)
struct SampleMilterProcessTests {
    enum Transport: CaseIterable, Sendable { case unix, inet }

    /// One message's instructions and what must come back for them.
    struct ActionCase: Sendable, CustomStringConvertible {
        let actions: [String]
        let modifications: [MilterModification]
        let response: MilterResponse
        var description: String { actions.joined(separator: "; ") }
    }

    /// The response for an SMFIR_REPLYCODE text; a text that does not parse expects a response
    /// no milter sends, so the case fails.
    static func reply(_ milterText: String) -> MilterResponse {
        guard let reply = try? SMTPReply(milterText: milterText) else { return .stepDisabled }
        return .replyCode(reply)
    }

    static let actionCases: [ActionCase] = [
        ActionCase(actions: ["addheader X-Added hello world"],
                   modifications: [.addHeader(name: "X-Added", value: "hello world")], response: .continue),
        ActionCase(actions: ["insheader 0 X-First at the top"],
                   modifications: [.insertHeader(index: 0, name: "X-First", value: "at the top")], response: .continue),
        ActionCase(actions: ["chgheader Subject 1 Changed subject"],
                   modifications: [.changeHeader(name: "Subject", index: 1, value: "Changed subject")], response: .continue),
        ActionCase(actions: ["chgheader Subject 1"],
                   modifications: [.changeHeader(name: "Subject", index: 1, value: "")], response: .continue),
        ActionCase(actions: ["addrcpt <new@example.com>"],
                   modifications: [.addRecipient("<new@example.com>", parameters: nil)], response: .continue),
        ActionCase(actions: ["addrcpt <par@example.com> NOTIFY=NEVER"],
                   modifications: [.addRecipient("<par@example.com>", parameters: "NOTIFY=NEVER")], response: .continue),
        ActionCase(actions: ["delrcpt <rcpt@example.com>"],
                   modifications: [.deleteRecipient("<rcpt@example.com>")], response: .continue),
        ActionCase(actions: ["chgfrom <bounces@example.com>"],
                   modifications: [.changeFrom("<bounces@example.com>", parameters: nil)], response: .continue),
        ActionCase(actions: ["chgfrom <bounces@example.com> SIZE=1234"],
                   modifications: [.changeFrom("<bounces@example.com>", parameters: "SIZE=1234")], response: .continue),
        ActionCase(actions: ["replacebody A new body"],
                   modifications: [.replaceBody(Array("A new body".utf8))], response: .continue),
        ActionCase(actions: ["quarantine suspicious attachment"],
                   modifications: [.quarantine(reason: "suspicious attachment")], response: .continue),
        ActionCase(actions: ["progress"], modifications: [.progress], response: .continue),
        ActionCase(actions: ["reply 550 5.7.1 First line|Second line|Last line"], modifications: [],
                   response: reply("550-5.7.1 First line\r\n550-5.7.1 Second line\r\n550 5.7.1 Last line")),
        ActionCase(actions: ["reply 451 4.7.1 Try again later"], modifications: [],
                   response: reply("451 4.7.1 Try again later")),
        // Literal text in the reply, `%%` on the wire through libmilter, `%` at the MTA again.
        ActionCase(actions: ["reply 550 5.7.1 100% sure"], modifications: [],
                   response: reply("550 5.7.1 100%% sure")),
        ActionCase(actions: ["tempfail"], modifications: [], response: .tempfail),
        ActionCase(actions: ["discard"], modifications: [], response: .discard),
        ActionCase(actions: ["accept"], modifications: [], response: .accept),
        ActionCase(actions: ["throw"], modifications: [],
                   response: reply("451 4.3.0 sample-milter: untrapped exception in endOfMessage")),
        ActionCase(actions: ["addheader X-One 1", "delrcpt <rcpt@example.com>", "addheader X-Two 2", "accept"],
                   modifications: [.addHeader(name: "X-One", value: "1"), .deleteRecipient("<rcpt@example.com>"),
                                   .addHeader(name: "X-Two", value: "2")],
                   response: .accept),
    ]

    @Test("every X-Sample-Action arrives exactly as asked", arguments: Transport.allCases)
    func everyActionArrivesExactlyAsAsked(transport: Transport) throws {
        let milter = try SampleMilter.start(transport: transport)
        defer { milter.stop() }
        for action in Self.actionCases {
            let result = try milter.send(actions: action.actions)
            #expect(result.stage == .endOfMessage, "\(action)")
            #expect(result.modifications == action.modifications, "\(action) over \(transport)")
            #expect(result.response == action.response, "\(action) over \(transport)")
        }
    }

    @Test func quitNewConnectionStartsASecondSessionOnTheSameSocket() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let connection = try milter.openSession()
        let envelope = MilterEnvelope(sender: "a@example.com", recipients: [.init("b@example.com")])
        let message = Array("Subject: one\r\nX-Sample-Action: addheader X-Session 1\r\n\r\nbody\r\n".utf8)
        #expect(try connection.sendMessage(message, envelope: envelope).modifications == [.addHeader(name: "X-Session", value: "1")])
        try connection.quitNewConnection()
        _ = try connection.connect(hostname: "second.example.com", address: .inet6(address: "2001:db8::5", port: 4000))
        _ = try connection.helo("second.example.com")
        let second = Array("Subject: two\r\nX-Sample-Action: addheader X-Session 2\r\n\r\nbody\r\n".utf8)
        #expect(try connection.sendMessage(second, envelope: envelope).modifications == [.addHeader(name: "X-Session", value: "2")])
        try connection.quit()
    }

    @Test func actionHeaderNameMatchesInAnyCaseAndOnlyExactly() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let headers = "x-SAMPLE-action: addheader X-Any-Case yes\r\nX-Sample-Actions: addheader X-Longer no\r\n"
            + "X-Sample\u{7F}Action: addheader X-Other-Byte no\r\n"
        let result = try milter.send(actions: [], extraHeaderBytes: Array(headers.utf8))
        #expect(result.modifications == [.addHeader(name: "X-Any-Case", value: "yes")])
    }

    @Test func skipAnswersTheFirstBodyChunkAndTheRestIsNotSent() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let body = String(repeating: "0123456789abcdef\r\n", count: 10_000)
        let result = try milter.send(actions: ["skip", "addheader X-After-Skip yes"], body: body)
        #expect(result.bodySkipped)
        #expect(result.response == .continue)
        #expect(result.modifications == [.addHeader(name: "X-After-Skip", value: "yes")])
    }

    @Test func macroIIsReportedInAHeaderOnlyWhenSent() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let with = try milter.send(actions: [], macros: [.endOfMessage: ["i": "4XyZ12"]])
        #expect(with.modifications == [.addHeader(name: "X-Sample-Macro-i", value: "4XyZ12")])
        let without = try milter.send(actions: [])
        #expect(without.modifications.isEmpty)
    }

    @Test func endOfMessageOnlyNegotiatesHeadersAndBodyAwayAndStillAddsTheMacroHeader() throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--end-of-message-only"])
        defer { milter.stop() }
        let session = try milter.openSession()
        let steps = try #require(session.negotiated?.steps)
        #expect(steps.contains(.noHeaders) && steps.contains(.noBody))
        // Instructions are not seen: only the macro header comes back.
        let result = try milter.send(actions: ["addheader X-Not-Seen yes"], macros: [.endOfMessage: ["i": "Q1"]], on: session)
        #expect(result.modifications == [.addHeader(name: "X-Sample-Macro-i", value: "Q1")])
    }

    @Test(arguments: [
        ("tempfail", reply("451 4.3.0 my-filter: untrapped exception in endOfMessage")),
        ("reject", reply("554 5.3.0 my-filter: untrapped exception in endOfMessage")),
        ("continue", .continue), ("accept", .accept),
    ])
    func aThrowingCallbackAnswersTheExceptionPolicyWithAReplyNamingTheMilterAndCallback(
        policy: String, expected: MilterResponse
    ) throws {
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--exception-policy", policy, "--name", "my-filter"])
        defer { milter.stop() }
        let result = try milter.send(actions: ["throw"])
        #expect(result.response == expected)
        // The error's own text ("X-Sample-Action: throw") stays in the log, out of the reply.
        #expect(!"\(result.response)".contains("X-Sample-Action"))
    }

    @Test func stopEndsMainWithinTwoSecondsWithAConnectionOpen() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let connection = try milter.openSession()
        _ = try connection.mail(from: "<a@example.com>")
        let clock = ContinuousClock()
        let start = clock.now
        milter.signal(SIGUSR1)
        let status = milter.waitForExit(within: .seconds(2))
        #expect(status != nil, "sample-milter still runs 2 s after stop()")
        #expect(status == nil || status == 0, "a stopped milter exits with status 0")
        #expect(clock.now - start < .seconds(2))
        connection.close()
    }

    @Test func staleUnixSocketIsRemovedWhenAsked() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/milter.sock"
        try makeStaleSocket(at: path)
        let milter = try SampleMilter.start(socket: "unix:\(path)", arguments: ["--remove-stale-socket"], directory: directory)
        defer { milter.stop() }
        #expect(try milter.send(actions: ["accept"]).response == .accept)
    }

    @Test func staleUnixSocketIsRefusedClearlyWhenNotAsked() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/milter.sock"
        try makeStaleSocket(at: path)
        let run = try SampleMilter.runToExit(arguments: ["--socket", "unix:\(path)"])
        #expect(run.status != 0)
        #expect(run.stderr.contains(path), "stderr: \(run.stderr)")
    }

    @Test(arguments: ["bogus", "unix:", "inet:notaport@127.0.0.1", "inet:99999@127.0.0.1", "tcp:25@localhost"])
    func malformedSocketSpecExitsNonZeroWithAClearMessage(spec: String) throws {
        let run = try SampleMilter.runToExit(arguments: ["--socket", spec])
        #expect(run.status != 0, "sample-milter accepted \(spec)")
        #expect(run.stderr.contains(spec), "stderr does not name the spec: \(run.stderr)")
    }

    @Test func fiftyParallelConnectionsAllComplete() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let outcomes = Outcomes()
        let allOpen = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<50 {
            allOpen.enter()
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    // Every session is open and past HELO before any sends its message.
                    let session = try milter.openSession()
                    allOpen.leave()
                    go.wait()
                    let result = try milter.send(actions: ["addheader X-Connection \(index)"], on: session)
                    let ok = result.modifications == [.addHeader(name: "X-Connection", value: "\(index)")]
                        && result.response == .continue
                    outcomes.record(index, ok ? "ok" : "wrong result \(result)")
                } catch {
                    allOpen.leave()
                    outcomes.record(index, "\(error)")
                }
            }
        }
        #expect(allOpen.wait(timeout: .now() + 30) == .success, "50 sessions could not be open at once")
        for _ in 0..<50 { go.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success, "parallel connections did not finish in 60 s")
        let results = outcomes.all
        let failures = results.filter { $0.value != "ok" }
        #expect(results.count == 50)
        #expect(failures.isEmpty, "\(failures.sorted { $0.key < $1.key }.prefix(5))")
    }

    @Test func garbageAndHalfMessagesDoNotKillTheMilter() throws {
        let milter = try SampleMilter.start(transport: .inet)
        defer { milter.stop() }
        // Text where packets belong, then an announced 2 GB packet, then a packet cut short.
        for garbage in [Array("EHLO there\r\nQUIT\r\n".utf8), [0x7F, 0xFF, 0xFF, 0xFF, 0x4F], [0, 0, 0, 100, 0x4C, 0x41]] {
            let connection = try MilterConnection(connectingTo: milter.spec)
            try connection.sendRawBytes(garbage)
            connection.close()
        }
        // A session closed in the middle of a message.
        let halfway = try milter.openSession()
        _ = try halfway.mail(from: "<a@example.com>")
        _ = try halfway.header(name: "Subject", value: "cut")
        halfway.close()
        #expect(milter.isRunning)
        #expect(try milter.send(actions: ["accept"]).response == .accept)
    }

    @Test func eightBitAndNulHeadersGetAnAnswerNotACrash() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let latin1: [UInt8] = Array("X-Latin: caf".utf8) + [0xE9, 0xFF, 0x80] + Array("\r\n".utf8)
        let result = try milter.send(actions: ["addheader X-Seen yes"], extraHeaderBytes: latin1)
        #expect(result.modifications == [.addHeader(name: "X-Seen", value: "yes")])

        // The client refuses a NUL in a header; a raw packet carries one anyway.
        let connection = try milter.openSession()
        _ = try connection.mail(from: "<a@example.com>")
        _ = try connection.recipient("<b@example.com>")
        try connection.sendRawPacket(command: UInt8(ascii: "L"), payload: Array("X-Nul\0va\0lue\0".utf8))
        if connection.negotiated?.steps.contains(.noReplyHeader) == false {
            _ = try connection.receiveResponse()
        }
        _ = try connection.endOfHeaders()
        _ = try connection.body(Array("body\r\n".utf8))
        #expect(try connection.endOfMessage().response == .continue)
        try connection.quit()
        #expect(milter.isRunning)
        #expect(try milter.send(actions: ["accept"]).response == .accept)
    }

    @Test func oversizedReplyLineIsAClearErrorNotACrash() throws {
        let milter = try SampleMilter.start(transport: .unix)
        defer { milter.stop() }
        let result = try milter.send(actions: ["reply 550 5.7.1 " + String(repeating: "x", count: 2000)])
        #expect(result.response == Self.reply("451 4.3.0 sample-milter: untrapped exception in endOfMessage"),
                "an unsendable reply falls back to the exception policy")
        #expect(milter.isRunning)
    }

    @Test func commandStalledPastTheTimeoutIsDropped() throws {
        // Debian's libmilter (worker pool) applies smfi_settimeout to a command that stops
        // half-way; an idle connection between commands is kept (checked against a C filter too).
        let milter = try SampleMilter.start(transport: .unix, arguments: ["--timeout", "1"])
        defer { milter.stop() }
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(8)
        let connection = try MilterConnection.open(milter.spec, options: options)
        try connection.sendRawBytes([0, 0, 0, 20, UInt8(ascii: "H")])
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try connection.receiveResponse()
            Issue.record("the milter answered a half command")
        } catch let error as MilterClientError {
            #expect(error.code == .peerClosed, "\(error)")
        }
        #expect(clock.now - start < .seconds(5))
        #expect(try milter.send(actions: ["accept"]).response == .accept)
    }

    private func makeStaleSocket(at path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(FileManager.default.fileExists(atPath: path), "the stale socket file exists before the milter starts")
    }
}

/// A directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "sample-milter-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The `sample-milter` executable running as a child process, and a client session factory for it.
final class SampleMilter: Sendable {
    let spec: MilterSocketSpec
    private let process: Process
    private let output: OutputCollector
    private let directory: TemporaryDirectory?

    private init(spec: MilterSocketSpec, process: Process, output: OutputCollector, directory: TemporaryDirectory?) {
        self.spec = spec
        self.process = process
        self.output = output
        self.directory = directory
    }

    /// The built executable, next to the test bundle or in `.build/debug` of this checkout.
    static func executable() throws -> URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [besideTests.appendingPathComponent("sample-milter"), checkout.appendingPathComponent(".build/debug/sample-milter")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw SampleMilterError(description: "sample-milter is not built (looked in \(candidates.map(\.path))); run `swift build --build-tests`")
        }
        return found
    }

    /// Starts sample-milter on a fresh socket of this transport and waits for "listening on".
    static func start(transport: SampleMilterProcessTests.Transport, arguments: [String] = []) throws -> SampleMilter {
        let directory = try TemporaryDirectory()
        switch transport {
        case .unix:
            return try start(socket: "unix:\(directory.path)/milter.sock", arguments: arguments, directory: directory)
        case .inet:
            return try start(socket: "inet:\(try freePort())@127.0.0.1", arguments: arguments, directory: directory)
        }
    }

    static func start(socket: String, arguments: [String], directory: TemporaryDirectory) throws -> SampleMilter {
        let (process, output) = try launch(["--socket", socket] + arguments)
        let milter = SampleMilter(spec: try MilterSocketSpec(parsing: socket), process: process, output: output, directory: directory)
        guard output.waitForStdout(containing: "listening on \(socket)", within: .seconds(10)) else {
            milter.stop()
            throw SampleMilterError(description: "sample-milter did not print \"listening on \(socket)\"; stdout: \(output.stdout) stderr: \(output.stderr)")
        }
        return milter
    }

    /// Runs sample-milter expecting it to exit by itself within 10 s (bad arguments).
    static func runToExit(arguments: [String]) throws -> (status: Int32, stderr: String) {
        let (process, output) = try launch(arguments)
        let milter = SampleMilter(spec: .unix(path: "/nonexistent"), process: process, output: output, directory: nil)
        guard let status = milter.waitForExit(within: .seconds(10)) else {
            milter.stop()
            throw SampleMilterError(description: "sample-milter \(arguments) kept running instead of exiting")
        }
        output.waitForEndOfOutput()
        return (status, output.stderr)
    }

    private static func launch(_ arguments: [String]) throws -> (Process, OutputCollector) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let output = OutputCollector(process: process)
        try process.run()
        output.startReading()
        return (process, output)
    }

    var isRunning: Bool { process.isRunning }

    /// What the milter logged so far.
    var stderr: String { output.stderr }

    /// Waits until the milter's log contains `needle`.
    func waitForStderr(containing needle: String, within limit: Duration) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if output.stderr.contains(needle) { return true }
            usleep(10_000)
        }
        return false
    }

    /// A negotiated connection that has sent connect and HELO.
    func openSession() throws -> MilterConnection {
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(10)
        options.endOfMessageTimeout = .seconds(10)
        let connection = try MilterConnection.open(spec, options: options)
        _ = try connection.connect(hostname: "client.example.com", address: .inet(address: "192.0.2.10", port: 40_000))
        _ = try connection.helo("client.example.com")
        return connection
    }

    /// Sends one message carrying these X-Sample-Action headers on a new connection (or the
    /// given one), then quits.
    func send(
        actions: [String],
        body: String = "Hello.\r\n",
        extraHeaderBytes: [UInt8] = [],
        macros: [MacroStage: [String: String]] = [:],
        on session: MilterConnection? = nil
    ) throws -> MilterTransactionResult {
        var raw = Array("From: <sender@example.com>\r\nTo: <rcpt@example.com>\r\nSubject: test message\r\n".utf8)
        raw += extraHeaderBytes
        for action in actions {
            raw += Array("X-Sample-Action: \(action)\r\n".utf8)
        }
        raw += Array("\r\n\(body)".utf8)
        let connection = try session ?? openSession()
        defer { try? connection.quit() }
        let envelope = MilterEnvelope(sender: "sender@example.com", recipients: [.init("rcpt@example.com")], macros: macros)
        return try connection.sendMessage(raw, envelope: envelope)
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit; its status, or nil if it still runs after `limit`.
    func waitForExit(within limit: Duration) -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// Kills the process and removes its directory. SIGKILL, not a graceful stop: stopping
    /// is proven by its own test, and libmilter's listener notices a stop only every 5 s.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(within: .seconds(5))
        }
        directory?.remove()
    }

    private static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ok else { throw SampleMilterError(description: "cannot find a free port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Results of parallel sessions, keyed by session number.
final class Outcomes: Sendable {
    private let results = Mutex<[Int: String]>([:])

    func record(_ index: Int, _ outcome: String) { results.withLock { $0[index] = outcome } }

    var all: [Int: String] { results.withLock { $0 } }
}

struct SampleMilterError: Error, CustomStringConvertible {
    let description: String
}

/// Collects a child's stdout and stderr on reader threads.
final class OutputCollector: Sendable {
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let text = Mutex<(stdout: String, stderr: String, open: Int)>(("", "", 2))

    init(process: Process) {
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
    }

    var stdout: String { text.withLock { $0.stdout } }
    var stderr: String { text.withLock { $0.stderr } }

    func startReading() {
        for (pipe, isStdout) in [(stdoutPipe, true), (stderrPipe, false)] {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let data = handle.availableData
                    guard !data.isEmpty else { break }
                    let chunk = String(decoding: data, as: UTF8.self)
                    text.withLock { if isStdout { $0.stdout += chunk } else { $0.stderr += chunk } }
                }
                text.withLock { $0.open -= 1 }
            }
        }
    }

    func waitForStdout(containing needle: String, within limit: Duration) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            let (found, open) = text.withLock { ($0.stdout.contains(needle), $0.open) }
            if found { return true }
            if open == 0 { return false }
            usleep(10_000)
        }
        return false
    }

    func waitForEndOfOutput() {
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while text.withLock({ $0.open }) > 0, ContinuousClock.now < deadline {
            usleep(10_000)
        }
    }
}
