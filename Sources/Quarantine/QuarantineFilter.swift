public import Foundation

/// Which entries `list` returns; every field set must match. Text fields match a substring,
/// case-insensitively (`--sender example.org`, `--virus eicar`).
public struct QuarantineFilter: Sendable {
    /// Entries that arrived at or after this moment.
    public var since: Date?
    /// Entries whose envelope sender contains this.
    public var sender: String?
    /// Entries with a recipient that contains this.
    public var recipient: String?
    /// Entries with a virus or banned rule name that contains this.
    public var finding: String?
    /// Entries with this status.
    public var status: EntryStatus?

    /// A filter; with no arguments it matches every entry.
    public init(since: Date? = nil, sender: String? = nil, recipient: String? = nil, finding: String? = nil, status: EntryStatus? = nil) {
        self.since = since
        self.sender = sender
        self.recipient = recipient
        self.finding = finding
        self.status = status
    }
}
