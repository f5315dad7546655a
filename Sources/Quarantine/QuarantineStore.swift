import Foundation
internal import GRDB
public import Logging

/// The quarantine: message files in one directory and an SQLite index (`index.sqlite`, WAL
/// mode) beside them, so the daemon writes while the CLI reads.
///
/// Safe to share between threads and between processes: SQLite serialises the writers, and
/// every status change is one conditional UPDATE, so two releases of one entry cannot both win.
///
/// The daemon opens one store at start-up and, for the `quarantine` action, calls
/// ``store(message:entry:)`` before it answers Postfix: when that throws, the answer must be a
/// temp-fail, so Postfix keeps the message. For the `hold` action it calls
/// ``recordHold(entry:size:postfixConfigDirectory:)``, and now and then
/// ``purge(maxAge:maxBytes:now:)`` for retention.
public final class QuarantineStore: Sendable {
    /// The store directory.
    public let directory: String
    /// `postsuper`, which releases and deletes hold-queue entries.
    public let postsuperPath: String
    let database: DatabasePool
    let logger: Logger

    /// The index's file name inside the directory.
    public static let indexName = "index.sqlite"

    /// Opens the store in `directory`, creating the directory (mode 0700) and the index when
    /// they are missing unless `createIfMissing` is false (the CLI: a typo must not make a store).
    ///
    /// - Parameters:
    ///   - busyTimeout: seconds a write waits for another writer before failing with `.indexBusy`.
    ///   - postsuperPath: the `postsuper` binary used for hold-queue entries.
    public init(
        directory: String, logger: Logger, createIfMissing: Bool = true, busyTimeout: Double = 5,
        postsuperPath: String = "/usr/sbin/postsuper"
    ) throws(QuarantineError) {
        self.directory = directory
        self.logger = logger
        self.postsuperPath = postsuperPath
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
            // loss; the daemon tells Postfix "accepted" right after store returns, so a row must
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

    /// Stores a message and its entry, and returns the new id.
    ///
    /// The file is complete on disk (fsync, rename, fsync of the directory) before the index row
    /// is committed; when either fails this throws and leaves neither file nor row, so the daemon
    /// can temp-fail and Postfix keeps the message.
    public func store(message: MessageSource, entry: NewEntry) throws(QuarantineError) -> QuarantineID {
        let id = QuarantineID.random()
        let written: MessageFile.Written
        do {
            written = try MessageFile.write(message, directory: directory, name: id.rawValue + ".eml", temporaryName: "." + id.rawValue + ".tmp")
        } catch {
            logger.error("quarantine store failed", metadata: ["mail.queue_id": "\(entry.queueID)", "error": "\(error.message)"])
            throw error
        }
        do {
            try insert(id: id, entry: entry, action: .quarantine, size: written.size, sha256: written.sha256, postfixConfigDirectory: nil)
        } catch {
            try? MessageFile.remove(messagePath(id))
            try? MessageFile.syncDirectory(directory)
            logger.error("quarantine index insert failed", metadata: ["mail.queue_id": "\(entry.queueID)", "error": "\(error.message)"])
            throw error
        }
        logger.info("message quarantined", metadata: [
            "quarantine.id": "\(id)", "mail.queue_id": "\(entry.queueID)", "mail.size": "\(written.size)",
        ])
        return id
    }

    /// Records a message the daemon put in Postfix's hold queue (no file here); it is listed by
    /// its queue id and released with `postsuper [-c postfixConfigDirectory] -H QUEUEID`.
    @discardableResult
    public func recordHold(entry: NewEntry, size: Int = 0, postfixConfigDirectory: String? = nil) throws(QuarantineError) -> QuarantineID {
        guard PostSuper.isQueueID(entry.queueID) else {
            throw QuarantineError(.invalidArgument, "hold entry needs a Postfix queue id, got '\(entry.queueID)'")
        }
        let id = QuarantineID.random()
        try insert(id: id, entry: entry, action: .hold, size: size, sha256: "", postfixConfigDirectory: postfixConfigDirectory)
        logger.info("message held in the Postfix hold queue", metadata: ["quarantine.id": "\(id)", "mail.queue_id": "\(entry.queueID)"])
        return id
    }

    func insert(
        id: QuarantineID, entry: NewEntry, action: QuarantineAction, size: Int, sha256: String, postfixConfigDirectory: String?
    ) throws(QuarantineError) {
        try write("insert \(id)") { db in
            try db.execute(
                sql: """
                    INSERT INTO entry (id, received_at, queue_id, client_address, client_helo, sender, sender_parameters,
                        subject, size, sha256, verdict, action, status, status_reason, status_changed_at,
                        signature_version, postfix_config_directory)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', '', ?, ?, ?)
                    """,
                arguments: [
                    id.rawValue, entry.receivedAt.timeIntervalSince1970, entry.queueID, entry.clientAddress, entry.clientHelo,
                    entry.sender.address, entry.sender.parameters.joined(separator: " "), entry.subject, size, sha256,
                    entry.verdict, action.rawValue, Date().timeIntervalSince1970, entry.signatureVersion, postfixConfigDirectory,
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

    /// Deletes entries' messages (hold entries: `postsuper -d QUEUEID hold`) and marks them
    /// `deleted`; the rows stay as a record until purged.
    public func delete(_ id: QuarantineID, by user: String) throws(QuarantineError) {
        let entry = try entry(id)
        guard entry.status == .held || entry.status == .released else {
            throw QuarantineError(.notHeld, "\(id) is \(entry.status.rawValue); only held or released entries can be deleted")
        }
        if entry.action == .hold && entry.status == .held {
            let result = PostSuper(path: postsuperPath).run(["-d", entry.queueID, "hold"], configDirectory: entry.postfixConfigDirectory)
            guard result.succeeded else {
                throw QuarantineError(.io, "postsuper -d \(entry.queueID) failed: \(result.output)")
            }
        }
        let changed = try write("delete \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE entry SET status = 'deleted', status_reason = ?, status_changed_at = ?
                    WHERE id = ? AND status IN ('held', 'released')
                    """,
                arguments: ["deleted by \(user)", Date().timeIntervalSince1970, id.rawValue])
            return db.changesCount
        }
        guard changed == 1 else { throw QuarantineError(.notHeld, "\(id) changed status while being deleted") }
        if entry.action == .quarantine {
            try MessageFile.remove(messagePath(id))
            try MessageFile.syncDirectory(directory)
        }
        logger.notice("quarantine entry deleted", metadata: ["quarantine.id": "\(id)", "user": "\(user)"])
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
