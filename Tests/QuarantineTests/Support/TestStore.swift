import Foundation
import Logging
import GRDB
@testable import Quarantine

/// A temporary directory that removes itself; every test file lives under one.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let template = NSTemporaryDirectory() + "/quarantine-tests.XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The store directory inside it (not created: the store creates it).
    var store: String { path + "/quarantine" }
}

enum Fixtures {
    /// Quiet unless something goes badly wrong: the tests check outcomes, not log lines.
    static let logger: Logger = {
        var logger = Logger(label: "quarantine-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A message with LF line ends, a line starting with a dot, and a final line without an end.
    static let message = Array("""
        From: Mallory <mallory@example.net>
        To: alice@example.org
        Subject: Invoice 42
        Message-ID: <m1@example.net>

        Hello.
        .hidden line starting with a dot
        ..two dots
        last line without newline
        """.utf8)

    static func entry(
        sender: String = "mallory@example.net", recipients: [String] = ["alice@example.org", "bob@example.org"],
        findings: [String] = ["Eicar-Test-Signature"], subject: String = "Invoice 42", receivedAt: Date = Date(), queueID: String = "4ABC123DEF"
    ) -> NewEntry {
        NewEntry(
            receivedAt: receivedAt, queueID: queueID, clientAddress: "192.0.2.7", clientHelo: "mx.example.net",
            sender: EnvelopeAddress(sender, parameters: ["SIZE=300", "BODY=8BITMIME", "AUTH=<>", "RET=HDRS", "ENVID=abc"]),
            recipients: recipients.map { EnvelopeAddress($0, parameters: ["NOTIFY=FAILURE", "X-UNKNOWN=1"]) },
            subject: subject, verdict: "infected", findings: findings, signatureVersion: "daily.cvd 27500")
    }

    static func openStore(_ directory: TemporaryDirectory, postsuper: String = "/usr/sbin/postsuper") throws -> QuarantineStore {
        try QuarantineStore(directory: directory.store, logger: logger, postsuperPath: postsuper)
    }

    /// Runs sqlite3 on the store's index, as an administrator editing it by hand would.
    static func sqlite(_ directory: TemporaryDirectory, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [directory.store + "/" + LocalQuarantineBackend.indexName, sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw POSIXError(.EIO) }
    }

    /// File names in the store directory other than the index files.
    static func messageFiles(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.store)
            .filter { !$0.hasPrefix(LocalQuarantineBackend.indexName) }
            .sorted()
    }
}

extension QuarantineStore {
    /// Where the local backend keeps an entry's file: tests edit the store by hand, as an administrator would.
    func messagePath(_ id: QuarantineID) -> String {
        (backend as? LocalQuarantineBackend)?.messagePath(id) ?? "/nonexistent/not-a-local-store"
    }
}

extension QuarantineStore {
    /// The local backend's index, for tests that hold its lock or read its pragmas.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        guard let local = backend as? LocalQuarantineBackend else { throw QuarantineError(.index, "not a local store") }
        return try local.write(what, body)
    }
}
