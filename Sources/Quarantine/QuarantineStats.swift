public import Foundation

/// Counts over the whole store, for `scanmilterctl quarantine stats`.
public struct QuarantineStats: Sendable, Codable, Equatable {
    /// Entries in total.
    public var entries: Int
    /// Entries per status (every status is present, zero when none).
    public var byStatus: [String: Int]
    /// Entries per action.
    public var byAction: [String: Int]
    /// Bytes of message files the store holds (entries that still have one).
    public var bytes: Int
    /// When the oldest entry arrived; nil for an empty store.
    public var oldest: Date?
    /// When the newest entry arrived; nil for an empty store.
    public var newest: Date?
    /// The most frequent findings, most frequent first (at most ten).
    public var topFindings: [FindingCount]

    /// One finding name and how many entries have it.
    public struct FindingCount: Sendable, Codable, Equatable {
        /// The virus or rule name.
        public var name: String
        /// Entries with it.
        public var count: Int

        public init(name: String, count: Int) {
            self.name = name
            self.count = count
        }
    }

    /// Counts as a backend reads them.
    public init(
        entries: Int, byStatus: [String: Int], byAction: [String: Int], bytes: Int, oldest: Date?, newest: Date?, topFindings: [FindingCount]
    ) {
        self.entries = entries
        self.byStatus = byStatus
        self.byAction = byAction
        self.bytes = bytes
        self.oldest = oldest
        self.newest = newest
        self.topFindings = topFindings
    }

    enum CodingKeys: String, CodingKey {
        case entries
        case byStatus = "by_status"
        case byAction = "by_action"
        case bytes, oldest, newest
        case topFindings = "top_findings"
    }
}
