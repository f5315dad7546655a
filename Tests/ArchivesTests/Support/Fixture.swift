// Test fixtures are written with libarchive's own writer, so each test makes exactly the bytes
// it needs and no binary archive is committed. The writer lives here, not in Archives: the
// product only ever reads archives.
internal import CArchive

/// Archives built in memory for the tests.
enum Fixture {
    /// One entry to write.
    struct File {
        var path: String
        var content: [UInt8] = []
        var isDirectory = false

        static func file(_ path: String, _ content: [UInt8]) -> File { File(path: path, content: content) }
        static func file(_ path: String, _ text: String) -> File { File(path: path, content: Array(text.utf8)) }
        static func directory(_ path: String) -> File { File(path: path, isDirectory: true) }
    }

    /// The container to write.
    enum Format: String, CaseIterable, CustomStringConvertible, Sendable {
        case zip, sevenZip, tar, tarGzip, tarXz, tarBzip2, cpio
        var description: String { rawValue }
    }

    /// A writer failure, naming the libarchive call.
    struct WriteError: Error, CustomStringConvertible {
        var function: String
        var message: String
        var description: String { "\(function): \(message)" }
    }

    /// An archive of `files` in `format`; `passphrase` encrypts a zip (traditional PKWARE).
    static func archive(_ format: Format, _ files: [File], passphrase: String? = nil) throws -> [UInt8] {
        try write(files) { a in
            switch format {
            case .zip: try check(a, archive_write_set_format_zip(a), "archive_write_set_format_zip")
            case .sevenZip: try check(a, archive_write_set_format_7zip(a), "archive_write_set_format_7zip")
            case .tar: try check(a, archive_write_set_format_pax_restricted(a), "archive_write_set_format_pax_restricted")
            case .tarGzip:
                try check(a, archive_write_set_format_pax_restricted(a), "archive_write_set_format_pax_restricted")
                try check(a, archive_write_add_filter_gzip(a), "archive_write_add_filter_gzip")
            case .tarXz:
                try check(a, archive_write_set_format_pax_restricted(a), "archive_write_set_format_pax_restricted")
                try check(a, archive_write_add_filter_xz(a), "archive_write_add_filter_xz")
            case .tarBzip2:
                try check(a, archive_write_set_format_pax_restricted(a), "archive_write_set_format_pax_restricted")
                try check(a, archive_write_add_filter_bzip2(a), "archive_write_add_filter_bzip2")
            case .cpio: try check(a, archive_write_set_format_cpio(a), "archive_write_set_format_cpio")
            }
            if let passphrase {
                try check(a, archive_write_set_options(a, "zip:encryption=zipcrypt"), "archive_write_set_options")
                try check(a, archive_write_set_passphrase(a, passphrase), "archive_write_set_passphrase")
            }
        }
    }

    /// `content` gzip-compressed as a lone file; `originalName` goes in the header's FNAME field.
    static func gzip(_ content: [UInt8], originalName: String? = nil) throws -> [UInt8] {
        var bytes = try compressed(content) { a in
            try check(a, archive_write_add_filter_gzip(a), "archive_write_add_filter_gzip")
        }
        if let originalName {
            // libarchive 3.6 writes no name; RFC 1952: set FLG.FNAME and put the zero-terminated
            // name right after the 10-byte header (no FEXTRA is written, so nothing else moves).
            bytes[3] |= 0x08
            bytes.insert(contentsOf: Array(originalName.utf8) + [0], at: 10)
        }
        return bytes
    }

    /// `content` bzip2-compressed as a lone file (bzip2 records no name).
    static func bzip2(_ content: [UInt8]) throws -> [UInt8] {
        try compressed(content) { a in
            try check(a, archive_write_add_filter_bzip2(a), "archive_write_add_filter_bzip2")
        }
    }

    /// A Windows executable's first bytes, enough for the name rules' tests to recognise.
    static let executable: [UInt8] = [0x4D, 0x5A, 0x90, 0x00] + [UInt8](repeating: 0x41, count: 60)

    /// Wraps `innermost` (a file) in `levels` zips, each inside the next: level1.zip holds
    /// level2.zip ... holds the file.
    static func nestedZips(levels: Int, innermost: File) throws -> [UInt8] {
        var current = try archive(.zip, [innermost])
        for level in stride(from: levels, through: 2, by: -1) {
            current = try archive(.zip, [.file("level\(level).zip", current)])
        }
        return current
    }

    private static func compressed(_ content: [UInt8], filter: (OpaquePointer) throws -> Void) throws -> [UInt8] {
        try write([.file("data", content)]) { a in
            try check(a, archive_write_set_format_raw(a), "archive_write_set_format_raw")
            try filter(a)
        }
    }

    /// Runs libarchive's writer with `configure`, collecting its output through callbacks.
    private static func write(_ files: [File], configure: (OpaquePointer) throws -> Void) throws -> [UInt8] {
        guard let a = archive_write_new() else { throw WriteError(function: "archive_write_new", message: "no memory") }
        defer { archive_write_free(a) }
        try configure(a)
        // No padding to a 10 KiB block after the compressed stream: a cut then cuts real data.
        try check(a, archive_write_set_bytes_in_last_block(a, 1), "archive_write_set_bytes_in_last_block")
        let sink = Sink()
        let opaque = Unmanaged.passUnretained(sink).toOpaque()
        try check(a, archive_write_open(a, opaque, nil, { _, client, buffer, length in
            guard let client, let buffer else { return -1 }
            let sink = Unmanaged<Sink>.fromOpaque(client).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
            return length
        }, nil), "archive_write_open")
        for file in files {
            guard let entry = archive_entry_new() else { throw WriteError(function: "archive_entry_new", message: "no memory") }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, file.path)
            // AE_IFDIR / AE_IFREG (cast macros Swift cannot import), with the usual permissions.
            archive_entry_set_filetype(entry, file.isDirectory ? 0o040000 : 0o100000)
            archive_entry_set_perm(entry, file.isDirectory ? 0o755 : 0o644)
            archive_entry_set_size(entry, file.isDirectory ? 0 : Int64(file.content.count))
            try check(a, archive_write_header(a, entry), "archive_write_header")
            if !file.content.isEmpty {
                let written = file.content.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
                guard written == file.content.count else {
                    throw WriteError(function: "archive_write_data", message: message(a))
                }
            }
        }
        try check(a, archive_write_close(a), "archive_write_close")
        return sink.bytes
    }

    private final class Sink {
        var bytes: [UInt8] = []
    }

    private static func check(_ a: OpaquePointer, _ status: Int32, _ function: String) throws {
        guard status < ARCHIVE_WARN else { return }
        throw WriteError(function: function, message: message(a))
    }

    private static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "no message"
    }
}
