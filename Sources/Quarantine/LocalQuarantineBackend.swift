#if canImport(Glibc)
import Glibc
#endif
public import Foundation
internal import GRDB
public import Logging

/// The single-host store: message files in one directory and an SQLite index (`index.sqlite`,
/// WAL mode) beside them, so the daemon writes while the CLI reads.
///
/// SQLite serialises the writers across threads and processes; every status change is one
/// conditional UPDATE. The maintenance lock is an `flock` on the index file's directory.
public final class LocalQuarantineBackend: QuarantineBackend {
    /// The store directory.
    public let directory: String
    let database: DatabasePool
    let logger: Logger

    /// The index's file name inside the directory.
    public static let indexName = "index.sqlite"

    public var location: String { directory }

    /// Opens the store in `directory`, creating the directory (mode 0700) and the index when
    /// they are missing unless `createIfMissing` is false (the CLI: a typo must not make a store).
    ///
    /// - Parameter busyTimeout: seconds a write waits for another writer before failing with `.indexBusy`.
    public init(directory: String, logger: Logger, createIfMissing: Bool = true, busyTimeout: Double = 5) throws(QuarantineError) {
        self.directory = directory
        self.logger = logger
        let indexPath = directory + "/" + Self.indexName
        if createIfMissing {
            try MessageFile.makeDirectory(directory)
        } else if !MessageFile.exists(indexPath) {
            let what = MessageFile.exists(directory) ? "has no index \(Self.indexName)" : "does not exist"
            throw QuarantineError(.storeMissing, "quarantine store \(directory) \(what)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "quarantine"
        do {
            database = try DatabasePool(path: indexPath, configuration: configuration)
            // GRDB sets synchronous = NORMAL with WAL, which can lose the last commits on power
            // loss; the daemon tells Postfix "accepted" right after insert returns, so a row must
            // be on disk by then. (Set after opening: GRDB's WAL setup runs after prepareDatabase.)
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(database)
        } catch {
            throw Self.indexError(error, "open \(indexPath)")
        }
    }

    /// The path of an entry's message file.
    public func messagePath(_ id: QuarantineID) -> String {
        directory + "/" + id.rawValue + ".eml"
    }

    /// The file is complete on disk (fsync, rename, fsync of the directory) before the index
    /// row is committed; when either fails neither file nor row is left.
    public func insert(
        id: QuarantineID, entry: NewEntry, action: QuarantineAction, message: MessageSource?, size: Int,
        postfixConfigDirectory: String?
    ) throws(QuarantineError) -> StoredMessage {
        guard let message else {
            try insertRow(id: id, entry: entry, action: action, size: size, sha256: "", postfixConfigDirectory: postfixConfigDirectory)
            return StoredMessage(size: size, sha256: "")
        }
        let written = try MessageFile.write(message, directory: directory, name: id.rawValue + ".eml", temporaryName: "." + id.rawValue + ".tmp")
        do {
            try insertRow(id: id, entry: entry, action: action, size: written.size, sha256: written.sha256, postfixConfigDirectory: postfixConfigDirectory)
        } catch {
            try? MessageFile.remove(messagePath(id))
            try? MessageFile.syncDirectory(directory)
            throw error
        }
        return StoredMessage(size: written.size, sha256: written.sha256)
    }

    func insertRow(
        id: QuarantineID, entry: NewEntry, action: QuarantineAction, size: Int, sha256: String, postfixConfigDirectory: String?
    ) throws(QuarantineError) {
        try write("insert \(id)") { db in
            try db.execute(
                sql: """
                    INSERT INTO entry (id, received_at, queue_id, client_address, client_helo, sender, sender_parameters,
                        subject, size, sha256, verdict, action, status, status_reason, status_changed_at,
                        signature_version, postfix_config_directory, host)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', '', ?, ?, ?, ?)
                    """,
                arguments: [
                    id.rawValue, entry.receivedAt.timeIntervalSince1970, entry.queueID, entry.clientAddress, entry.clientHelo,
                    entry.sender.address, entry.sender.parameters.joined(separator: " "), entry.subject, size, sha256,
                    entry.verdict, action.rawValue, Date().timeIntervalSince1970, entry.signatureVersion, postfixConfigDirectory,
                    entry.host,
                ])
            for (position, recipient) in entry.recipients.enumerated() {
                try db.execute(
                    sql: "INSERT INTO recipient (entry_id, position, address, parameters) VALUES (?, ?, ?, ?)",
                    arguments: [id.rawValue, position, recipient.address, recipient.parameters.joined(separator: " ")])
            }
            for (position, name) in entry.findings.enumerated() {
                try db.execute(
                    sql: "INSERT INTO finding (entry_id, position, name) VALUES (?, ?, ?)",
                    arguments: [id.rawValue, position, name])
            }
        }
    }

    public func message(_ id: QuarantineID) throws(QuarantineError) -> [UInt8] {
        try MessageFile.read(messagePath(id))
    }

    public func transition(
        _ id: QuarantineID, to status: EntryStatus, from: Set<EntryStatus>, reason: String?, at: Date
    ) throws(QuarantineError) -> Bool {
        let starts = from.map(\.rawValue).sorted()
        let placeholders = Array(repeating: "?", count: starts.count).joined(separator: ", ")
        let reasonColumn = reason == nil ? "" : ", status_reason = ?"
        var values: [(any DatabaseValueConvertible)?] = [status.rawValue, at.timeIntervalSince1970]
        if let reason { values.append(reason) }
        values.append(id.rawValue)
        let arguments = StatementArguments(values + starts)
        return try write("\(id) to \(status.rawValue)") { db in
            try db.execute(
                sql: "UPDATE entry SET status = ?, status_changed_at = ?\(reasonColumn) WHERE id = ? AND status IN (\(placeholders))",
                arguments: arguments)
            return db.changesCount == 1
        }
    }

    public func note(_ id: QuarantineID, reason: String, whileStatus status: EntryStatus) throws(QuarantineError) {
        try write("note on \(id)") { db in
            try db.execute(sql: "UPDATE entry SET status_reason = ? WHERE id = ? AND status = ?", arguments: [reason, id.rawValue, status.rawValue])
        }
    }

    public func finishRelease(
        _ id: QuarantineID, record: ReleaseRecord, status: EntryStatus, reason: String
    ) throws(QuarantineError) -> Bool {
        try write("record release of \(id)") { db in
            try db.execute(
                sql: "UPDATE entry SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ? AND status = 'releasing'",
                arguments: [status.rawValue, reason, record.at.timeIntervalSince1970, id.rawValue])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: """
                    INSERT INTO release (entry_id, released_at, released_by, recipients, relay, reply, delivered)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id.rawValue, record.at.timeIntervalSince1970, record.by, record.recipients.joined(separator: "\n"), record.relay, record.reply, record.delivered])
            return true
        }
    }

    public func removeMessage(_ id: QuarantineID) throws(QuarantineError) {
        try MessageFile.remove(messagePath(id))
        try MessageFile.syncDirectory(directory)
    }

    public func removeEntry(_ id: QuarantineID) throws(QuarantineError) {
        try write("remove \(id)") { db in
            try db.execute(sql: "DELETE FROM entry WHERE id = ?", arguments: [id.rawValue])
        }
    }

    /// An exclusive `flock` on the store directory itself, not waiting (no lock file to leave
    /// behind; SQLite's own locks are `fcntl` locks on the index and do not interact).
    public func withMaintenanceLock<T>(_ body: () throws(QuarantineError) -> T) throws(QuarantineError) -> T? {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MessageFile.failure("open", directory) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { return nil }
            throw MessageFile.failure("flock", directory)
        }
        return try body()
    }

    public func appendAudit(_ record: AuditRecord) throws(QuarantineError) {
        try write("audit") { db in
            try db.execute(
                sql: "INSERT INTO audit (at, actor, action, entry_id, origin, detail) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [record.at.timeIntervalSince1970, record.actor, record.action, record.entryID?.rawValue, record.origin, record.detail])
        }
    }

    /// Runs `body` in a write transaction, turning database failures into a `QuarantineError`.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(QuarantineError) -> T {
        do {
            return try database.write(body)
        } catch {
            throw Self.indexError(error, what)
        }
    }

    /// Runs `body` in a read transaction, turning database failures into a `QuarantineError`.
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(QuarantineError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw Self.indexError(error, what)
        }
    }

    static func indexError(_ error: any Error, _ what: String) -> QuarantineError {
        if let error = error as? QuarantineError { return error }
        guard let error = error as? DatabaseError else {
            return QuarantineError(.index, "index: \(what): \(error)")
        }
        switch error.resultCode {
        case .SQLITE_FULL:
            return QuarantineError(.diskFull, "index: \(what): disk full (\(error.message ?? "SQLITE_FULL"))")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return QuarantineError(.indexBusy, "index: \(what): locked by another writer too long (\(error.message ?? "SQLITE_BUSY"))")
        default:
            return QuarantineError(.index, "index: \(what): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
