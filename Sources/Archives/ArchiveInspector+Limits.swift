extension ArchiveInspector {
    /// Bounds on one inspection, so a hostile archive (a bomb, a deep nest, a million entries)
    /// costs a known amount of time and memory.
    public struct Limits: Sendable, Equatable {
        /// No configuration can ask for deeper nesting than this: each level holds a reader and
        /// its buffer while the levels inside it are read.
        public static let depthCeiling = 16

        /// How many archives deep to open inside the outermost one: 0 opens none, 3 lists
        /// `a.zip/b.zip/c.zip/d.exe` but only notes (`.depth`) an archive inside `c.zip`.
        public let maxDepth: Int
        /// Entries listed at most, all levels together.
        public let maxEntries: Int
        /// Bytes of each regular file kept in `ArchiveEntry.contentPrefix` (and used to recognise
        /// nested archives).
        public let maxPrefixBytes: Int
        /// Uncompressed bytes read at most, all entries and levels together: prefixes, nested
        /// archives read whole, and data read past where skipping would mean decompressing.
        public let maxTotalBytes: Int

        /// Creates limits; each is clamped to a sane range (depth to `0...depthCeiling`).
        public init(
            maxDepth: Int = 3, maxEntries: Int = 10_000, maxPrefixBytes: Int = 64 * 1024,
            maxTotalBytes: Int = 32 * 1024 * 1024
        ) {
            self.maxDepth = min(max(0, maxDepth), Self.depthCeiling)
            self.maxEntries = max(0, maxEntries)
            self.maxPrefixBytes = max(0, maxPrefixBytes)
            self.maxTotalBytes = max(0, maxTotalBytes)
        }
    }
}
