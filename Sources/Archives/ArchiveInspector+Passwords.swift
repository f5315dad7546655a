extension ArchiveInspector {
    /// What is left of the work one message may spend trying passwords, all its archives
    /// together: a hostile message cannot make the tries a CPU sink (tries × bytes is bounded).
    public struct PasswordBudget: Sendable, Equatable {
        /// Passwords that may still be tried (one try reads one archive with one password).
        public var tries: Int
        /// Uncompressed bytes that may still be read by tries.
        public var bytes: Int

        /// Creates a budget of `tries` tries and `bytes` uncompressed bytes.
        public init(tries: Int, bytes: Int) {
            self.tries = max(0, tries)
            self.bytes = max(0, bytes)
        }
    }

    /// An encrypted archive read with a password that opened it.
    public struct PasswordOpening: Sendable {
        /// The password that opened it.
        public var password: String
        /// Its listing as read with that password (`encrypted` stays true: it was encrypted).
        public var listing: ArchiveListing
        /// Every regular file's whole content, with its path as in `ArchiveEntry.path`.
        public var members: [(path: String, content: [UInt8])]
    }

    /// Tries `candidates` in order on the encrypted archive `bytes`, each with a fresh reader,
    /// and returns the first that reads every encrypted entry to its end (CRC or AES
    /// authentication code verified) within the limits; nil when none does or `budget` runs out.
    ///
    /// An opening is only claimed when everything was read: no read error, no limit reached, no
    /// header left encrypted (7z with encrypted names). Anything less keeps the archive
    /// "encrypted", so the archive-encrypted rule still applies.
    /// - Throws: `ArchiveError` with code `.setup` only when libarchive cannot set up a reader.
    public func open(
        _ bytes: ArraySlice<UInt8>, name: String? = nil, candidates: [String], budget: inout PasswordBudget
    ) throws -> PasswordOpening? {
        for candidate in candidates where !candidate.isEmpty {
            guard budget.tries > 0, budget.bytes > 0 else { return nil }
            budget.tries -= 1
            let tryLimits = Limits(
                maxDepth: limits.maxDepth, maxEntries: limits.maxEntries, maxPrefixBytes: limits.maxPrefixBytes,
                maxTotalBytes: min(limits.maxTotalBytes, budget.bytes))
            let opened: PasswordOpening? = try bytes.withUnsafeBytes { buffer in
                var walk = ArchiveWalk(limits: tryLimits, passphrases: [candidate])
                defer { budget.bytes -= walk.bytesRead }
                guard let reader = try walk.list(buffer, container: "", containerName: name, depth: 0) else { return nil }
                guard walk.decryptedEntries > 0, !walk.decryptionFailed, walk.defects.isEmpty, walk.limitsReached.isEmpty
                else { return nil }
                let listing = ArchiveListing(
                    format: reader.formatName, filters: reader.filterNames, entries: walk.entries,
                    encrypted: true, limitsReached: walk.limitsReached, defects: walk.defects)
                return PasswordOpening(password: candidate, listing: listing, members: walk.members)
            }
            if let opened { return opened }
        }
        return nil
    }
}
