internal import CArchive

/// One libarchive reader (`struct archive *`) over bytes in memory, freed in `deinit`.
///
/// Not thread-safe (libarchive keeps per-reader state) and not `Sendable`: each inspection makes
/// its own readers. The bytes given to `open` must stay alive and unmoved until the reader is gone.
final class ArchiveReader {
    /// What a reader recognises.
    enum Mode {
        /// Real archive formats (zip, 7z, rar, tar, cpio, ...) behind any compression filter.
        case archives
        /// A lone compressed stream (a `.gz` that is not a tar): libarchive's `raw` format.
        case compressedStream
    }

    /// The result of asking for the next entry.
    enum Header {
        case entry(OpaquePointer)
        case end
        case failed(ArchiveError)
    }

    /// The open reader; freed in `deinit`.
    private let raw: OpaquePointer
    /// What this reader was set up to recognise.
    let mode: Mode

    /// Formats we read. Not `archive_read_support_format_all`: it includes `mtree`, whose
    /// entries name files on *this* machine that libarchive then opens and reads (a hostile
    /// attachment could make us read /etc/shadow, or block on a FIFO), and `empty`, which would
    /// call any empty input an archive. `raw` is only for `.compressedStream`.
    private static let formats: [(String, @convention(c) (OpaquePointer?) -> Int32)] = [
        ("archive_read_support_format_7zip", archive_read_support_format_7zip),
        ("archive_read_support_format_ar", archive_read_support_format_ar),
        ("archive_read_support_format_cab", archive_read_support_format_cab),
        ("archive_read_support_format_cpio", archive_read_support_format_cpio),
        ("archive_read_support_format_iso9660", archive_read_support_format_iso9660),
        ("archive_read_support_format_lha", archive_read_support_format_lha),
        ("archive_read_support_format_rar", archive_read_support_format_rar),
        ("archive_read_support_format_rar5", archive_read_support_format_rar5),
        ("archive_read_support_format_tar", archive_read_support_format_tar),
        ("archive_read_support_format_warc", archive_read_support_format_warc),
        ("archive_read_support_format_xar", archive_read_support_format_xar),
        ("archive_read_support_format_zip", archive_read_support_format_zip),
    ]

    /// Filters libarchive decodes in-process with the libraries Debian links it against. Not
    /// `archive_read_support_filter_all`: lrzip, lzop and grzip would fork an external program
    /// inside the milter for every such attachment.
    private static let filters: [(String, @convention(c) (OpaquePointer?) -> Int32)] = [
        ("archive_read_support_filter_bzip2", archive_read_support_filter_bzip2),
        ("archive_read_support_filter_compress", archive_read_support_filter_compress),
        ("archive_read_support_filter_gzip", archive_read_support_filter_gzip),
        ("archive_read_support_filter_lz4", archive_read_support_filter_lz4),
        ("archive_read_support_filter_lzip", archive_read_support_filter_lzip),
        ("archive_read_support_filter_lzma", archive_read_support_filter_lzma),
        ("archive_read_support_filter_rpm", archive_read_support_filter_rpm),
        ("archive_read_support_filter_uu", archive_read_support_filter_uu),
        ("archive_read_support_filter_xz", archive_read_support_filter_xz),
        ("archive_read_support_filter_zstd", archive_read_support_filter_zstd),
    ]

    /// Allocates a reader for `mode`, with `passphrases` for encrypted entries (libarchive tries
    /// them in order: `archive_read_add_passphrase(3)`); throws only when libarchive cannot be set up.
    init(mode: Mode, passphrases: [String] = []) throws {
        guard let handle = archive_read_new() else {
            throw ArchiveError(.setup, function: "archive_read_new", message: "could not allocate a reader")
        }
        raw = handle
        self.mode = mode
        // From here on `deinit` frees the reader whatever fails below.
        for (name, support) in Self.filters {
            try check(support(raw), name, .setup)
        }
        switch mode {
        case .archives:
            for (name, support) in Self.formats {
                try check(support(raw), name, .setup)
            }
        case .compressedStream:
            try check(archive_read_support_format_raw(raw), "archive_read_support_format_raw", .setup)
        }
        for passphrase in passphrases {
            try check(archive_read_add_passphrase(raw, passphrase), "archive_read_add_passphrase", .setup)
        }
        // With a passphrase a wrong one can pass the zip's one-byte check (1 in 256 for
        // ZipCrypto); libarchive then reports the bad CRC or AES authentication code only as
        // ARCHIVE_WARN. Garbage must never be taken for the member, so a warning fails the read.
        warningsFail = !passphrases.isEmpty
    }

    deinit {
        archive_read_free(raw)
    }

    /// A reader opened on `buffer` as an archive, else as a compressed stream; nil when neither
    /// fits. Input whose first block is all zeros is not taken: libarchive's tar reader accepts
    /// it as an empty archive, which would make every zero-filled file (and every classic zip
    /// bomb) a "nested archive" to be read whole.
    static func opening(_ buffer: UnsafeRawBufferPointer, passphrases: [String] = []) throws -> ArchiveReader? {
        guard buffer.prefix(512).contains(where: { $0 != 0 }) else { return nil }
        let reader = try ArchiveReader(mode: .archives, passphrases: passphrases)
        if reader.open(buffer) { return reader }
        let stream = try ArchiveReader(mode: .compressedStream)
        return stream.open(buffer) ? stream : nil
    }

    /// Opens `buffer`; false when no format (or, for `.compressedStream`, no filter) claims it.
    func open(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return false }
        guard archive_read_open_memory(raw, base, buffer.count) >= ARCHIVE_WARN else { return false }
        // `raw` accepts any input: it is a compressed stream only if some filter decoded it
        // (filter 0 is always the pass-through "none").
        return mode == .archives || archive_filter_count(raw) > 1
    }

    /// Reads the next entry header.
    func nextHeader() -> Header {
        var entry: OpaquePointer?
        let status = archive_read_next_header(raw, &entry)
        if status == ARCHIVE_EOF { return .end }
        do {
            try check(status, "archive_read_next_header", .header)
        } catch {
            return .failed(error)
        }
        guard let entry else {
            return .failed(ArchiveError(.header, function: "archive_read_next_header", message: "no entry returned"))
        }
        return .entry(entry)
    }

    /// The last failure left the reader unusable (`ARCHIVE_FATAL`), not just the current entry
    /// (`ARCHIVE_FAILED`, e.g. an unsupported compression method).
    private(set) var failedFatally = false

    /// A data read that ends in `ARCHIVE_WARN` (bad CRC, bad authentication code) throws: set
    /// when reading with passphrases, where a warning means a wrong one.
    private var warningsFail = false

    /// Reads up to `buffer.count` bytes of the current entry's data; 0 at its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = archive_read_data(raw, base, buffer.count)
        if count < 0 {
            let status = Int32(truncatingIfNeeded: count)
            if warningsFail, status == ARCHIVE_WARN {
                let message = archive_error_string(raw).map { String(cString: $0) } ?? "warning, no message"
                throw ArchiveError(.data, function: "archive_read_data", message: message, errno: archive_errno(raw))
            }
            try check(status, "archive_read_data", .data)
            return 0  // ARCHIVE_WARN: nothing read this time, nothing wrong enough to stop.
        }
        return count
    }

    /// libarchive's name for the format, e.g. `ZIP 2.0 (deflation)`; refined after a header.
    var formatName: String {
        archive_format_name(raw).map { String(cString: $0) } ?? "unknown"
    }

    /// The decoding filters, outermost (the file's own compression) first, without "none".
    var filterNames: [String] {
        let count = Int(archive_filter_count(raw))
        guard count > 1 else { return [] }
        // Index 0 is the filter nearest the format; count - 1 is the pass-through reading the bytes.
        return (0..<(count - 1)).reversed().compactMap { index in
            archive_filter_name(raw, Int32(index)).map { String(cString: $0) }
        }
    }

    /// Some compression filter sits between the bytes and the format (tar.gz, not zip).
    var hasFilters: Bool { archive_filter_count(raw) > 1 }

    /// Decompressed bytes the format has consumed so far: headers, data read and data skipped.
    var decodedPosition: Int64 { archive_filter_bytes(raw, 0) }

    /// libarchive has seen an encrypted entry or an encrypted archive header.
    var sawEncryption: Bool {
        archive_read_has_encrypted_entries(raw) > 0
    }

    /// Skipping the rest of the current entry costs no decompression: libarchive then just moves
    /// past stored bytes (zip knows each entry's compressed size; a bare tar is uncompressed).
    /// Everywhere else (tar.gz, 7z solid blocks, ...) skipping decompresses everything skipped,
    /// which is exactly what a bomb exploits, so the caller reads it instead, against its budget.
    func skipIsCheap(_ entry: OpaquePointer) -> Bool {
        guard archive_filter_count(raw) <= 1 else { return false }
        let base = archive_format(raw) & ARCHIVE_FORMAT_BASE_MASK
        if base == ARCHIVE_FORMAT_TAR { return true }
        return base == ARCHIVE_FORMAT_ZIP && archive_entry_size_is_set(entry) != 0
    }

    // MARK: - the funnel: every libarchive status passes here and becomes an ArchiveError naming the call

    /// Throws when a libarchive call returned worse than `ARCHIVE_WARN`.
    private func check(_ status: Int32, _ function: String, _ code: ArchiveError.Code) throws(ArchiveError) {
        guard status < ARCHIVE_WARN else { return }
        failedFatally = status <= ARCHIVE_FATAL
        let message = archive_error_string(raw).map { String(cString: $0) } ?? "status \(status), no message"
        throw ArchiveError(code, function: function, message: message, errno: archive_errno(raw))
    }
}
