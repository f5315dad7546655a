/// One entry of an archive (or of an archive nested in it), as libarchive listed it.
public struct ArchiveEntry: Sendable, Equatable {
    /// The full path inside the outermost archive, nested archives joined with `/`:
    /// `inner.zip/dir/evil.exe`. The name is kept as the archive stores it (`../../x`, control
    /// and bidi characters included); bytes that are not UTF-8 become U+FFFD.
    public var path: String
    /// The last component of the entry's own name (`evil.exe`), the one name rules look at.
    /// Empty for a compressed stream that records no name and has no container name to derive one from.
    public var name: String
    /// The uncompressed size the archive declares, nil when it declares none. Hostile archives
    /// lie: nothing here trusts it.
    public var size: Int64?
    /// The entry is a directory.
    public var isDirectory: Bool
    /// The entry's data or metadata is encrypted (its content could not be read).
    public var isEncrypted: Bool
    /// 0 for entries of the outermost archive, 1 for entries of an archive inside it, and so on.
    public var depth: Int
    /// The entry's content is itself an archive (or compressed stream). Its entries follow it in
    /// the listing, unless it sat at `Limits.maxDepth` (then `limitsReached` holds `.depth`).
    public var isArchive: Bool
    /// The first bytes of a regular file's data, up to `Limits.maxPrefixBytes`, for type
    /// detection (libmagic). Empty for directories, links, encrypted or empty entries, and when
    /// a limit stopped the read.
    public var contentPrefix: [UInt8]

    /// Creates an entry record.
    public init(
        path: String, name: String, size: Int64?, isDirectory: Bool, isEncrypted: Bool, depth: Int,
        isArchive: Bool = false, contentPrefix: [UInt8] = []
    ) {
        self.path = path
        self.name = name
        self.size = size
        self.isDirectory = isDirectory
        self.isEncrypted = isEncrypted
        self.depth = depth
        self.isArchive = isArchive
        self.contentPrefix = contentPrefix
    }
}
