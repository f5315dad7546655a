/// A limit of `ArchiveInspector.Limits` that stopped an inspection early.
public enum ArchiveLimit: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// An archive was found nested deeper than `Limits.maxDepth`; it was listed but not opened.
    case depth
    /// More than `Limits.maxEntries` entries (all levels together); the rest were not listed.
    case entries
    /// More than `Limits.maxTotalBytes` of uncompressed data would have had to be read; the
    /// inspection stopped there.
    case bytes

    public var description: String { rawValue }
}
