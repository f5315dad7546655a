/// Lists what is inside archives (zip, 7z, rar, tar, cpio, cab, iso, ...) and compressed files
/// (gz, bz2, xz, zst, ...), through libarchive, so name and type rules can see inside them as
/// rspamd and amavisd do.
///
/// Thread-safe: it holds only its limits, and each call makes its own libarchive readers.
public struct ArchiveInspector: Sendable {
    /// The bounds every inspection keeps to.
    public let limits: Limits

    /// Creates an inspector with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Lists the entries of `bytes`, descending into nested archives up to the limits; nil when
    /// `bytes` are neither an archive nor a compressed file libarchive reads.
    ///
    /// `name`, the attachment's file name if any, names the content of a compressed file that
    /// records no name of its own (`report.exe.bz2` holds `report.exe`). Hostile input never
    /// throws: a read error midway is a `defect` in the listing, with every entry read before it.
    /// - Throws: `ArchiveError` with code `.setup` only when libarchive cannot allocate or set up
    ///   a reader.
    public func inspect(_ bytes: ArraySlice<UInt8>, name: String? = nil) throws -> ArchiveListing? {
        try bytes.withUnsafeBytes { buffer in
            var walk = ArchiveWalk(limits: limits)
            guard let reader = try walk.list(buffer, container: "", containerName: name, depth: 0) else { return nil }
            return ArchiveListing(
                format: reader.formatName, filters: reader.filterNames, entries: walk.entries,
                encrypted: walk.encrypted, limitsReached: walk.limitsReached, defects: walk.defects)
        }
    }

    /// Lists the entries of `bytes`; see `inspect(_:name:)` for slices.
    public func inspect(_ bytes: [UInt8], name: String? = nil) throws -> ArchiveListing? {
        try inspect(bytes[...], name: name)
    }
}
