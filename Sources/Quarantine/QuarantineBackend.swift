public import Foundation

/// Where a quarantine keeps its entries and messages: the storage under ``QuarantineStore``.
///
/// Two backends: ``LocalQuarantineBackend`` (message files and an SQLite index in one
/// directory, the single-host default) and the shared PostgreSQL store that several mail hosts
/// use at once. Everything a backend does not have to know — release over SMTP, postsuper for
/// hold entries, checksums on read, audit records, logging — lives once in ``QuarantineStore``.
///
/// Every method is safe to call from many threads and many processes (and, for a shared
/// backend, many hosts) at once. Each status change is one conditional update that names the
/// statuses it may start from and reports whether it happened, so two releases, or a release
/// and a purge, of one entry never both win.
public protocol QuarantineBackend: Sendable {
    /// Where the store is, for logs, `status` and errors: a directory, or a database URI
    /// without its password.
    var location: String { get }

    /// Stores an entry and, for the `quarantine` action, its message, and returns the stored
    /// size and SHA-256. When this returns, both are durable; when it throws, neither exists,
    /// so the daemon can temp-fail and Postfix keeps the message. A `hold` entry has no
    /// `message`; its `size` is the message's size in Postfix's queue.
    func insert(
        id: QuarantineID, entry: NewEntry, action: QuarantineAction, message: MessageSource?, size: Int,
        postfixConfigDirectory: String?
    ) throws(QuarantineError) -> StoredMessage

    /// The entry with this id, with its recipients, findings and release history; nil when
    /// there is none.
    func entry(_ id: QuarantineID) throws(QuarantineError) -> QuarantineEntry?

    /// One page of the entries that match `query.filter`, in `query`'s order, and how many
    /// match in all.
    func list(_ query: QuarantineQuery) throws(QuarantineError) -> QuarantinePage

    /// The stored message exactly as written. A backend checks what it can on the way (the
    /// PostgreSQL store checks each chunk); ``QuarantineStore`` compares the whole message
    /// with the entry's SHA-256. Throws `.fileMissing` when there is no message.
    func message(_ id: QuarantineID) throws(QuarantineError) -> [UInt8]

    /// Sets the status of `id` to `status` if it is one of `from`, with `reason` as its status
    /// reason (nil keeps the reason), and returns whether it changed.
    func transition(
        _ id: QuarantineID, to status: EntryStatus, from: Set<EntryStatus>, reason: String?, at: Date
    ) throws(QuarantineError) -> Bool

    /// Sets the status reason of `id` while its status is `status`, leaving the status alone.
    func note(_ id: QuarantineID, reason: String, whileStatus status: EntryStatus) throws(QuarantineError)

    /// Records a release attempt and moves `id` from `releasing` to `status` with `reason`, in
    /// one transaction; returns false (and records nothing) when the entry is not `releasing`.
    func finishRelease(
        _ id: QuarantineID, record: ReleaseRecord, status: EntryStatus, reason: String
    ) throws(QuarantineError) -> Bool

    /// Removes the stored message of an entry already marked `deleted` (not its row). A
    /// message that is already gone is not an error.
    func removeMessage(_ id: QuarantineID) throws(QuarantineError)

    /// Entries retention or `purge` may remove, oldest first: never one that is `releasing`.
    func purgeCandidates(_ selection: PurgeSelection) throws(QuarantineError) -> [PurgeCandidate]

    /// Removes the row of an entry (and anything of it left) after it was marked `deleted`
    /// and its message removed.
    func removeEntry(_ id: QuarantineID) throws(QuarantineError)

    /// Runs `body` while holding the store's maintenance lock, which one caller at a time holds
    /// across every process and host (retention runs on every daemon, but on one at a time);
    /// returns nil without running it when another caller holds the lock.
    func withMaintenanceLock<T>(_ body: () throws(QuarantineError) -> T) throws(QuarantineError) -> T?

    /// Counts over the whole store.
    func stats() throws(QuarantineError) -> QuarantineStats

    /// Compares entries with stored messages; with `repair`, mends what it can without ever
    /// delivering anything (see ``VerifyReport``).
    func verify(repair: Bool, now: Date) throws(QuarantineError) -> VerifyReport

    /// Appends one record to the audit log.
    func appendAudit(_ record: AuditRecord) throws(QuarantineError)

    /// Audit records that match `query`, newest first.
    func audit(_ query: AuditQuery) throws(QuarantineError) -> [AuditRecord]
}

/// What the store wrote for a message.
public struct StoredMessage: Sendable, Equatable {
    /// Bytes stored (for a hold entry: the size given).
    public var size: Int
    /// SHA-256 of the stored bytes, lowercase hex; empty for a hold entry.
    public var sha256: String

    public init(size: Int, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }
}

/// Which entries retention or `purge` looks at.
public enum PurgeSelection: Sendable, Equatable {
    /// Entries that arrived before this moment, optionally only those with this status.
    case receivedBefore(Date, status: EntryStatus?)
    /// Entries that still have a stored message (`quarantine` action, held or released):
    /// what `max_bytes` counts.
    case stored
}

/// An entry retention or `purge` may remove.
public struct PurgeCandidate: Sendable, Equatable {
    /// The entry.
    public var id: QuarantineID
    /// Its size in bytes.
    public var size: Int
    /// Whether a stored message goes with it (`quarantine` action, held or released).
    public var hasMessage: Bool

    public init(id: QuarantineID, size: Int, hasMessage: Bool) {
        self.id = id
        self.size = size
        self.hasMessage = hasMessage
    }
}
