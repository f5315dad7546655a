import Foundation
import Logging
import Quarantine

/// Runs the built `scanmilterctl` (from `swift build`) and a quarantine store to run it on.
enum QuarantineCLI {
    /// What one run printed and how it exited.
    struct Run {
        var status: Int32
        var output: Data
        var error: String
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// `.build/debug/scanmilterctl`, found from this file's place in the package.
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/scanmilterctl").path
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read both pipes while it runs, so a large output cannot fill a pipe and stall it.
        let errorData = Locked<Data>(Data())
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.done { usleep(1000) }
        return Run(status: process.terminationStatus, output: outputData, error: String(decoding: errorData.value, as: UTF8.self))
    }

    /// A value handed from one thread to another once.
    final class Locked<Value>: @unchecked Sendable {
        // Guarded by `lock`; @unchecked because NSLock is the synchronisation here.
        private let lock = NSLock()
        private var stored: Value
        private var finished = false
        init(_ value: Value) { stored = value }
        func set(_ value: Value) { lock.withLock { stored = value; finished = true } }
        var value: Value { lock.withLock { stored } }
        var done: Bool { lock.withLock { finished } }
    }

    static var logger: Logger {
        var logger = Logger(label: "quarantine-cli-tests")
        logger.logLevel = .critical
        return logger
    }

    static let message = Array("From: mallory@example.net\r\nTo: alice@example.org\r\nSubject: Invoice 42\r\n\r\nHello.\r\n.dot line\r\n".utf8)

    static func entry(findings: [String] = ["Eicar-Test-Signature"], receivedAt: Date = Date()) -> NewEntry {
        NewEntry(
            receivedAt: receivedAt, queueID: "4ABC123DEF", clientAddress: "192.0.2.7", clientHelo: "mx.example.net",
            sender: EnvelopeAddress("mallory@example.net", parameters: ["BODY=8BITMIME"]),
            recipients: [EnvelopeAddress("alice@example.org"), EnvelopeAddress("bob@example.org")],
            subject: "Invoice 42", verdict: "infected", findings: findings, signatureVersion: "daily 27500")
    }
}

/// A temporary directory holding a store and a config file naming it; removed at the end.
final class QuarantineCLIFixture {
    let path: String
    var store: String { path + "/quarantine" }
    var config: String { path + "/scanmilter.toml" }

    init(relay: String = "127.0.0.1:1") throws {
        var template = Array((NSTemporaryDirectory() + "/quarantine-cli.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
        try "[quarantine]\ndir = \"\(store)\"\nrelease_relay = \"\(relay)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func openStore() throws -> QuarantineStore {
        try QuarantineStore(directory: store, logger: QuarantineCLI.logger)
    }

    /// Runs `scanmilterctl quarantine ARGUMENTS --config CONFIG`.
    func run(_ arguments: String...) throws -> QuarantineCLI.Run {
        try QuarantineCLI.run(["quarantine"] + arguments + ["--config", config])
    }
}

/// Postfix's `smtp-sink`: a real SMTP server that appends each message it receives, with the
/// envelope as `X-Mail-Args:` and `X-Rcpt-Args:` headers, to one file in `dump`. (One file per
/// message, `-d`, names them by a random number that repeats within a second.)
final class SMTPSink {
    let port: Int
    let dump: String
    private let process: Process

    /// Starts smtp-sink on a free loopback port; `extra` adds options such as `-f RCPT` (refuse with 5xx).
    init(in directory: String, extra: [String] = []) throws {
        dump = directory + "/sink"
        try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
        // smtp-sink drops privileges to nobody before writing, so the dump must be reachable by it.
        chmod(directory, 0o755)
        chmod(dump, 0o777)
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/smtp-sink")
        process.arguments = ["-u", "nobody", "-D", dump + "/all"] + extra + ["127.0.0.1:\(port)", "16"]
        try process.run()
        var attempts = 0
        while !acceptsConnections(port: port) && attempts < 200 {
            usleep(10_000)
            attempts += 1
        }
    }

    deinit {
        // smtp-sink ignores SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var relay: String { "127.0.0.1:\(port)" }

    /// Everything received so far, as smtp-sink wrote it (transactions one after another).
    func received() -> String {
        (try? String(contentsOfFile: dump + "/all", encoding: .utf8)) ?? ""
    }

    /// How many transactions arrived (each starts with smtp-sink's `X-Client-Addr:` line).
    var count: Int { received().components(separatedBy: "X-Client-Addr:").count - 1 }
}

extension QuarantineStore {
    /// Where the local backend keeps an entry's file: tests edit the store by hand, as an administrator would.
    func messagePath(_ id: QuarantineID) -> String {
        (backend as? LocalQuarantineBackend)?.messagePath(id) ?? "/nonexistent/not-a-local-store"
    }
}
