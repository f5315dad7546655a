/// What an inspection found: every entry in order, and whatever stopped or hid part of it.
public struct ArchiveListing: Sendable, Equatable {
    /// libarchive's name for the outermost format, e.g. `ZIP 2.0 (deflation)`, `7-Zip`,
    /// `GNU tar format`, or `raw` for a lone compressed file (a `.gz` that is not a tar).
    public var format: String
    /// The compression filters around the outermost format, outermost first, e.g. `["gzip"]`.
    public var filters: [String]
    /// Every entry in archive order; a nested archive's entries follow the entry that holds it.
    public var entries: [ArchiveEntry]
    /// Some entry, or an archive's own header, is encrypted: its names or content could not be
    /// checked (the encrypted-archive rule).
    public var encrypted: Bool
    /// The limits that cut the inspection short (the nested-past-limits rule).
    public var limitsReached: Set<ArchiveLimit>
    /// Read errors met partway; entries read before each one are kept.
    public var defects: [ArchiveDefect]

    /// Creates a listing.
    public init(
        format: String, filters: [String] = [], entries: [ArchiveEntry] = [], encrypted: Bool = false,
        limitsReached: Set<ArchiveLimit> = [], defects: [ArchiveDefect] = []
    ) {
        self.format = format
        self.filters = filters
        self.entries = entries
        self.encrypted = encrypted
        self.limitsReached = limitsReached
        self.defects = defects
    }

    /// A read error stopped some part of the archive early.
    public var damaged: Bool { !defects.isEmpty }

    /// Everything in the archive was read: not encrypted, no limit reached, not damaged.
    public var isComplete: Bool { !encrypted && limitsReached.isEmpty && defects.isEmpty }

    /// Whether `limit` cut the inspection short.
    public func reached(_ limit: ArchiveLimit) -> Bool { limitsReached.contains(limit) }
}
