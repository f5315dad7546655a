/// A read error met partway through an archive: what was read before it is kept.
public struct ArchiveDefect: Sendable, Equatable, CustomStringConvertible {
    /// The path of the archive that failed, as in `ArchiveEntry.path`: empty for the outermost
    /// archive, `inner.zip` for an archive inside it.
    public var archivePath: String
    /// What libarchive reported.
    public var error: ArchiveError

    /// Creates a defect record.
    public init(archivePath: String, error: ArchiveError) {
        self.archivePath = archivePath
        self.error = error
    }

    public var description: String { archivePath.isEmpty ? "\(error)" : "\(archivePath): \(error)" }
}
