/// One inspection in progress: the entries found so far and what is left of the limits.
///
/// Nested archives are read by `walk` calling itself, one level per nested archive, and never
/// deeper than `Limits.maxDepth` (itself at most `Limits.depthCeiling`): the recursion is bounded
/// by configuration, not by the input.
struct ArchiveWalk {
    let limits: ArchiveInspector.Limits
    private(set) var entries: [ArchiveEntry] = []
    private(set) var encrypted = false
    private(set) var limitsReached: Set<ArchiveLimit> = []
    private(set) var defects: [ArchiveDefect] = []
    /// Uncompressed bytes that may still be read, all levels together.
    private var bytesLeft: Int
    /// A limit on the whole inspection was reached: stop everywhere.
    private var stopped = false
    private let scratch = ScratchBuffer(count: 64 * 1024)
    /// Passphrases given to every reader (nested ones too); when there are any, encrypted
    /// entries are read instead of skipped, and every member is kept whole in `members`.
    let passphrases: [String]
    /// Each regular file's whole content with its path, when reading with passphrases.
    private(set) var members: [(path: String, content: [UInt8])] = []
    /// Encrypted entries whose data was read to its end without an error.
    private(set) var decryptedEntries = 0
    /// An encrypted entry or an encrypted archive header could not be read.
    private(set) var decryptionFailed = false

    init(limits: ArchiveInspector.Limits, passphrases: [String] = []) {
        self.limits = limits
        self.passphrases = passphrases
        bytesLeft = limits.maxTotalBytes
    }

    /// Uncompressed bytes this walk read, all levels together.
    var bytesRead: Int { limits.maxTotalBytes - max(bytesLeft, 0) }

    /// Reading with passphrases: members are decrypted and kept.
    private var decrypting: Bool { !passphrases.isEmpty }

    /// How a read of entry data ended.
    private enum ReadEnd {
        /// The entry's data ended.
        case end
        /// As many bytes as asked were read; the entry may hold more.
        case full
        /// This entry's data cannot be read (recorded); the entries after it may be.
        case failed
        /// A read error (recorded) ended this archive, or a limit (recorded) ended the inspection.
        case stop
    }

    /// Opens `bytes` and lists their entries; nil (nothing recorded) when they are neither an
    /// archive nor a compressed stream. Returns the reader that listed them, for its format name.
    mutating func list(
        _ bytes: UnsafeRawBufferPointer, container: String, containerName: String?, depth: Int
    ) throws -> ArchiveReader? {
        guard let reader = try ArchiveReader.opening(bytes, passphrases: passphrases) else { return nil }
        let entryCount = entries.count
        let defectCount = defects.count
        try walk(reader, bytes: bytes, container: container, containerName: containerName, depth: depth)
        // Decompressed zeros read as an empty tar (the zero-block check in `opening` only sees
        // the compressed bytes): a compressed stream with no entries is listed as the stream it is,
        // or a gzipped executable led by zeros would hide behind "empty archive".
        guard reader.mode == .archives, !reader.filterNames.isEmpty, !stopped,
            entries.count == entryCount, defects.count == defectCount
        else { return reader }
        let stream = try ArchiveReader(mode: .compressedStream)
        guard stream.open(bytes) else { return reader }
        try walk(stream, bytes: bytes, container: container, containerName: containerName, depth: depth)
        return stream
    }

    /// Lists every entry `reader` yields, with `container` (the path of the archive being read)
    /// in front of each name, descending into nested archives.
    private mutating func walk(
        _ reader: ArchiveReader, bytes: UnsafeRawBufferPointer, container: String, containerName: String?, depth: Int
    ) throws {
        defer { if reader.sawEncryption { encrypted = true } }
        while !stopped {
            // Behind a filter, headers cost decompression too (a tar.gz of huge pax names): charge
            // what the format consumed beyond the data `read` already charged.
            let before = reader.decodedPosition
            let header = reader.nextHeader()
            if reader.hasFilters, !charge(Int(clamping: reader.decodedPosition - before)) { return }
            switch header {
            case .end:
                return
            case .failed(let error):
                // An encrypted header (7z, rar) fails here; it is the encrypted rule's case, not damage.
                if reader.sawEncryption {
                    encrypted = true
                    decryptionFailed = true
                } else {
                    defects.append(ArchiveDefect(archivePath: container, error: error))
                }
                return
            case .entry(let entry):
                guard entries.count < limits.maxEntries else {
                    limitsReached.insert(.entries)
                    stopped = true
                    return
                }
                let ownName = reader.mode == .compressedStream ? Self.streamName(bytes, containerName) : nil
                guard try visit(entry, ownName: ownName, reader: reader, container: container, depth: depth) else { return }
            }
        }
    }

    /// Records one entry and reads what of its data the rules need; false when this archive
    /// cannot be read further.
    private mutating func visit(
        _ raw: OpaquePointer, ownName: String?, reader: ArchiveReader, container: String, depth: Int
    ) throws -> Bool {
        let fields = ArchiveEntry.Fields(raw)
        let stored = ownName ?? fields.rawPath
        let path = container.isEmpty ? stored : container + "/" + stored
        let name = stored.split(separator: "/").last.map(String.init) ?? ""
        entries.append(ArchiveEntry(
            path: path, name: name, size: fields.size, isDirectory: fields.isDirectory,
            isEncrypted: fields.isEncrypted, depth: depth))
        if fields.isEncrypted { encrypted = true }
        guard fields.isRegularFile, !fields.isDataEncrypted || decrypting else {
            // A tar header may give a directory or device a size; behind a filter, skipping it
            // would decompress it unmetered.
            guard !fields.isDataEncrypted, !reader.skipIsCheap(raw) else { return true }
            var discarded: [UInt8]? = nil
            return read(reader, upTo: .max, keeping: &discarded, container: container) != .stop
        }
        let index = entries.count - 1

        var prefix: [UInt8] = []
        // Decrypting reads each member whole (to its end, where the CRC or authentication code
        // proves the passphrase), against the same byte budget; ClamAV then scans the members.
        let prefixEnd = read(reader, upTo: decrypting ? .max : limits.maxPrefixBytes, keeping: &prefix, container: container)
        entries[index].contentPrefix = Array(prefix.prefix(limits.maxPrefixBytes))
        if fields.isDataEncrypted {
            if prefixEnd == .end { decryptedEntries += 1 } else { decryptionFailed = true }
        }
        if prefixEnd == .stop { return false }
        if prefixEnd == .failed { return true }
        if decrypting { members.append((path: path, content: prefix)) }

        let nested = try prefix.withUnsafeBytes { buffer in try ArchiveReader.opening(buffer) != nil }
        if nested { entries[index].isArchive = true }
        if nested, depth < limits.maxDepth {
            var content = prefix
            if prefixEnd == .full {
                switch read(reader, upTo: .max, keeping: &content, container: container) {
                case .end: break
                case .failed: return true
                case .full, .stop: return false
                }
            }
            let opened = try content.withUnsafeBytes { buffer in
                try list(buffer, container: path, containerName: name, depth: depth + 1) != nil
            }
            if !opened {
                defects.append(ArchiveDefect(archivePath: path, error: ArchiveError(
                    .open, function: "archive_read_open_memory", message: "its start reads as an archive, the whole entry does not")))
            }
            return !stopped
        }
        if nested { limitsReached.insert(.depth) }
        if prefixEnd == .full, !reader.skipIsCheap(raw) {
            var discarded: [UInt8]? = nil
            return read(reader, upTo: .max, keeping: &discarded, container: container) != .stop
        }
        return true
    }

    /// Reads up to `count` bytes of the current entry into `kept` (or discards them when it is
    /// nil), charging every byte to the inspection's budget.
    private mutating func read(
        _ reader: ArchiveReader, upTo count: Int, keeping kept: inout [UInt8]?, container: String
    ) -> ReadEnd {
        var total = 0
        while total < count {
            // One byte past the budget is asked for, so an entry ending exactly there is not
            // mistaken for one that goes on.
            let ask = min(scratch.buffer.count, count - total, bytesLeft + 1)
            let got: Int
            do {
                got = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch.buffer[..<ask]))
            } catch {
                defects.append(ArchiveDefect(archivePath: container, error: error))
                // Listing on past one unreadable entry matters: a hostile zip can lead with an
                // entry in an unsupported method to hide the names after it.
                return reader.failedFatally ? .stop : .failed
            }
            if got == 0 { return .end }
            guard charge(got) else { return .stop }
            kept?.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch.buffer[..<got]))
            total += got
        }
        return .full
    }

    /// Takes `count` bytes from the budget; false (and the inspection stopped) when it runs out.
    private mutating func charge(_ count: Int) -> Bool {
        bytesLeft -= count
        guard bytesLeft < 0 else { return true }
        limitsReached.insert(.bytes)
        stopped = true
        return false
    }

    /// `read` into an array that is always kept.
    private mutating func read(
        _ reader: ArchiveReader, upTo count: Int, keeping kept: inout [UInt8], container: String
    ) -> ReadEnd {
        var optional: [UInt8]? = kept
        kept = []
        defer { kept = optional ?? [] }
        return read(reader, upTo: count, keeping: &optional, container: container)
    }

    /// The name of a lone compressed stream's content: the gzip header's, else the container's
    /// name without its compression suffix (as gunzip does), else none.
    static func streamName(_ bytes: UnsafeRawBufferPointer, _ containerName: String?) -> String {
        if let original = GzipHeader.originalName(bytes) { return original }
        guard let containerName, let dot = containerName.lastIndex(of: ".") else { return "" }
        let suffixes: Set<String> = ["gz", "tgz", "z", "bz2", "xz", "lzma", "lz", "lz4", "zst", "uu"]
        guard suffixes.contains(containerName[containerName.index(after: dot)...].lowercased()) else { return "" }
        return String(containerName[..<dot])
    }
}

/// A reusable read buffer, freed with its owner.
private final class ScratchBuffer {
    let buffer: UnsafeMutableRawBufferPointer

    init(count: Int) {
        buffer = .allocate(byteCount: count, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }
}
