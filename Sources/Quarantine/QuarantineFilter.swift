public import Foundation

/// Which entries `list` returns; every field set must match. Text fields match a substring,
/// case-insensitively (`--sender example.org`, `--virus eicar`).
public struct QuarantineFilter: Sendable, Equatable {
    /// Entries that arrived at or after this moment.
    public var since: Date?
    /// Entries that arrived before this moment.
    public var until: Date?
    /// Entries whose envelope sender contains this.
    public var sender: String?
    /// Entries with a recipient that contains this.
    public var recipient: String?
    /// Entries whose Subject contains this.
    public var subject: String?
    /// Entries with a virus or banned rule name that contains this.
    public var finding: String?
    /// Entries with this verdict (`infected`, `banned`, ...), exactly.
    public var verdict: String?
    /// Entries quarantined by this host (its name as recorded), exactly.
    public var host: String?
    /// Entries with this status.
    public var status: EntryStatus?
    /// Entries whose id, queue id, sender, any recipient, subject or any finding contains this
    /// (the console's one search box).
    public var text: String?

    /// A filter; with no arguments it matches every entry.
    public init(
        since: Date? = nil, until: Date? = nil, sender: String? = nil, recipient: String? = nil, subject: String? = nil,
        finding: String? = nil, verdict: String? = nil, host: String? = nil, status: EntryStatus? = nil, text: String? = nil
    ) {
        self.since = since
        self.until = until
        self.sender = sender
        self.recipient = recipient
        self.subject = subject
        self.finding = finding
        self.verdict = verdict
        self.host = host
        self.status = status
        self.text = text
    }
}

/// A page of a filtered, sorted list: what the console and the API page through.
public struct QuarantineQuery: Sendable, Equatable {
    /// The order of a list.
    public enum Order: String, Sendable, CaseIterable, Codable {
        case receivedAt = "received_at"
        case sender
        case subject
        case size
        case verdict
        case status
        case host
    }

    /// Which entries.
    public var filter: QuarantineFilter
    /// Sorted by this, then by id so pages never overlap.
    public var order: Order
    /// Newest (largest) first when true.
    public var descending: Bool
    /// At most this many entries; nil for all of them.
    public var limit: Int?
    /// Entries skipped before the page starts.
    public var offset: Int

    public init(
        filter: QuarantineFilter = QuarantineFilter(), order: Order = .receivedAt, descending: Bool = false, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.filter = filter
        self.order = order
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }
}

/// One page of entries and how many match in all.
public struct QuarantinePage: Sendable {
    /// The entries of this page.
    public var entries: [QuarantineEntry]
    /// How many entries match the filter, on every page.
    public var total: Int

    public init(entries: [QuarantineEntry], total: Int) {
        self.entries = entries
        self.total = total
    }
}
