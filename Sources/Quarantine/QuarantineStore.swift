public import Foundation
public import Logging
import Checksum

/// The quarantine, on whichever backend keeps it: ``LocalQuarantineBackend`` (files and an
/// SQLite index in one directory) or the shared PostgreSQL store.
///
/// What does not depend on where entries live is here, once: release over SMTP (claim,
/// rescan, deliver, record), postsuper for hold-queue entries, the checksum check on every
/// read, the audit log, and logging.
///
/// The daemon opens one store at start-up and, for the `quarantine` action, calls
/// ``store(message:entry:)`` before it answers Postfix: when that throws, the answer must be a
/// temp-fail, so Postfix keeps the message. For the `hold` action it calls
/// ``recordHold(entry:size:postfixConfigDirectory:)``, and now and then
/// ``purge(maxAge:maxBytes:now:)`` for retention.
public final class QuarantineStore: Sendable {
    /// Where entries and messages are kept.
    public let backend: any QuarantineBackend
    /// The name recorded as the host of entries this store quarantines.
    public let hostName: String
    /// `postsuper`, which releases and deletes hold-queue entries.
    public let postsuperPath: String
    let logger: Logger

    /// A store on `backend`; entries it quarantines are recorded as coming from `hostName`.
    public init(backend: any QuarantineBackend, logger: Logger, hostName: String = QuarantineStore.localHostName(), postsuperPath: String = "/usr/sbin/postsuper") {
        self.backend = backend
        self.logger = logger
        self.hostName = hostName
        self.postsuperPath = postsuperPath
    }

    /// The single-host store in `directory` (see ``LocalQuarantineBackend``).
    public convenience init(
        directory: String, logger: Logger, createIfMissing: Bool = true, busyTimeout: Double = 5,
        postsuperPath: String = "/usr/sbin/postsuper"
    ) throws(QuarantineError) {
        let backend = try LocalQuarantineBackend(directory: directory, logger: logger, createIfMissing: createIfMissing, busyTimeout: busyTimeout)
        self.init(backend: backend, logger: logger, postsuperPath: postsuperPath)
    }

    /// This host's name, as `gethostname` gives it.
    public static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Stores a message and its entry, and returns the new id.
    ///
    /// When this returns, message and entry are durable; when it throws, neither is kept, so
    /// the daemon can temp-fail and Postfix keeps the message.
    public func store(message: MessageSource, entry: NewEntry) throws(QuarantineError) -> QuarantineID {
        let id = QuarantineID.random()
        let stored: StoredMessage
        do {
            stored = try backend.insert(id: id, entry: stamped(entry), action: .quarantine, message: message, size: 0, postfixConfigDirectory: nil)
        } catch {
            logger.error("quarantine store failed", metadata: ["mail.queue_id": "\(entry.queueID)", "error": "\(error.message)"])
            throw error
        }
        logger.info("message quarantined", metadata: [
            "quarantine.id": "\(id)", "mail.queue_id": "\(entry.queueID)", "mail.size": "\(stored.size)",
        ])
        return id
    }

    /// Records a message the daemon put in Postfix's hold queue (no copy here); it is listed by
    /// its queue id and released with `postsuper [-c postfixConfigDirectory] -H QUEUEID`.
    @discardableResult
    public func recordHold(entry: NewEntry, size: Int = 0, postfixConfigDirectory: String? = nil) throws(QuarantineError) -> QuarantineID {
        guard PostSuper.isQueueID(entry.queueID) else {
            throw QuarantineError(.invalidArgument, "hold entry needs a Postfix queue id, got '\(entry.queueID)'")
        }
        let id = QuarantineID.random()
        _ = try backend.insert(id: id, entry: stamped(entry), action: .hold, message: nil, size: size, postfixConfigDirectory: postfixConfigDirectory)
        logger.info("message held in the Postfix hold queue", metadata: ["quarantine.id": "\(id)", "mail.queue_id": "\(entry.queueID)"])
        return id
    }

    private func stamped(_ entry: NewEntry) -> NewEntry {
        var entry = entry
        if entry.host.isEmpty { entry.host = hostName }
        return entry
    }

    /// The entry with this id, with its recipients, findings and release history.
    public func entry(_ id: QuarantineID) throws(QuarantineError) -> QuarantineEntry {
        guard let found = try backend.entry(id) else { throw QuarantineError(.unknownID, "no quarantine entry \(id)") }
        return found
    }

    /// The entries that match `filter`, oldest first.
    public func list(_ filter: QuarantineFilter = QuarantineFilter()) throws(QuarantineError) -> [QuarantineEntry] {
        try backend.list(QuarantineQuery(filter: filter)).entries
    }

    /// One page of a filtered, sorted list and how many match in all.
    public func list(_ query: QuarantineQuery) throws(QuarantineError) -> QuarantinePage {
        try backend.list(query)
    }

    /// The stored message of a `quarantine` entry, checked against the SHA-256 recorded when it
    /// was stored: `.checksumMismatch` when it no longer matches.
    public func message(_ id: QuarantineID) throws(QuarantineError) -> [UInt8] {
        let entry = try entry(id)
        guard entry.action == .quarantine else {
            throw QuarantineError(.fileMissing, "\(id) is in Postfix's hold queue (queue id \(entry.queueID)); see it with: postcat -q \(entry.queueID)")
        }
        guard entry.status != .deleted else { throw QuarantineError(.fileMissing, "\(id) is deleted; its message is gone") }
        let bytes = try backend.message(id)
        if !entry.sha256.isEmpty && SHA256.hex(bytes) != entry.sha256 {
            throw QuarantineError(.checksumMismatch, "\(id): the stored message no longer matches its checksum \(entry.sha256)")
        }
        return bytes
    }

    /// Deletes an entry's message (hold entries: `postsuper -d QUEUEID hold`) and marks it
    /// `deleted`; the row stays as a record until purged. Recorded in the audit log.
    public func delete(_ id: QuarantineID, by user: String, origin: String = QuarantineStore.cliOrigin, reason: String = "") throws(QuarantineError) {
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
        guard try backend.transition(id, to: .deleted, from: [.held, .released], reason: "deleted by \(user)", at: Date()) else {
            throw QuarantineError(.notHeld, "\(id) changed status while being deleted")
        }
        if entry.action == .quarantine { try backend.removeMessage(id) }
        audit(AuditRecord(actor: user, action: "delete", entryID: id, origin: origin, detail: reason))
        logger.notice("quarantine entry deleted", metadata: ["quarantine.id": "\(id)", "user": "\(user)"])
    }

    /// Compares entries with stored messages; with `repair`, mends what it finds.
    public func verify(repair: Bool, now: Date = Date()) throws(QuarantineError) -> VerifyReport {
        try backend.verify(repair: repair, now: now)
    }

    /// Audit records that match `query`, newest first.
    public func audit(_ query: AuditQuery = AuditQuery()) throws(QuarantineError) -> [AuditRecord] {
        try backend.audit(query)
    }

    /// Appends to the audit log. The action it records has already happened, so a failure to
    /// record it is logged, not thrown.
    public func audit(_ record: AuditRecord) {
        do {
            try backend.appendAudit(record)
        } catch {
            logger.error("audit record not written", metadata: [
                "quarantine.id": "\(record.entryID?.rawValue ?? "-")", "audit.action": "\(record.action)", "error": "\(error.message)",
            ])
        }
    }

    /// The origin recorded for actions from `scanmilterctl` on this host.
    public static var cliOrigin: String { "cli@" + localHostName() }
}

/// Who acts on the quarantine, for the audit log.
public struct QuarantineActor: Sendable, Equatable {
    /// A login name, console user, or `recipient:ADDRESS`.
    public var name: String
    /// `cli@HOST`, or the client's IP address.
    public var origin: String

    public init(name: String, origin: String) {
        self.name = name
        self.origin = origin
    }
}
