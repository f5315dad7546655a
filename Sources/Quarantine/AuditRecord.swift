public import Foundation

/// One action someone took on the quarantine, as the audit log keeps it: who, when, what, from
/// where and why. Written by ``QuarantineStore`` for every release, delete and purge by request,
/// whether from the CLI or the web console.
public struct AuditRecord: Sendable, Codable, Equatable {
    /// When it happened.
    public var at: Date
    /// The login name (`scanmilterctl`), console user, or `recipient:ADDRESS` for a digest link.
    public var actor: String
    /// What was done: `release`, `release-forced`, `release-refused`, `release-withheld`,
    /// `delete`, `purge`, `download`, `sign-in`, ...
    public var action: String
    /// The entry it was done to; nil for actions on no one entry (a sign-in).
    public var entryID: QuarantineID?
    /// Where the actor was: `cli@HOST`, or the console client's IP address.
    public var origin: String
    /// The reason given (required to release what a rescan still flags), or the outcome.
    public var detail: String

    public init(at: Date = Date(), actor: String, action: String, entryID: QuarantineID?, origin: String, detail: String = "") {
        self.at = at
        self.actor = actor
        self.action = action
        self.entryID = entryID
        self.origin = origin
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case at, actor, action
        case entryID = "entry_id"
        case origin, detail
    }
}

/// Which audit records to return, newest first.
public struct AuditQuery: Sendable, Equatable {
    /// Only records about this entry.
    public var entryID: QuarantineID?
    /// Only records by this actor, exactly.
    public var actor: String?
    /// Only records at or after this moment.
    public var since: Date?
    /// At most this many records.
    public var limit: Int
    /// Records skipped before the page starts.
    public var offset: Int

    public init(entryID: QuarantineID? = nil, actor: String? = nil, since: Date? = nil, limit: Int = 100, offset: Int = 0) {
        self.entryID = entryID
        self.actor = actor
        self.since = since
        self.limit = limit
        self.offset = offset
    }
}
