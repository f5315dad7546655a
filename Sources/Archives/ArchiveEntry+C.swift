internal import CArchive

extension ArchiveEntry {
    /// The fields of a libarchive `archive_entry`, converted to Swift at the boundary.
    struct Fields {
        var rawPath: String
        var size: Int64?
        var isDirectory: Bool
        var isRegularFile: Bool
        var isEncrypted: Bool
        var isDataEncrypted: Bool

        init(_ entry: OpaquePointer) {
            rawPath = Self.pathname(entry)
            size = archive_entry_size_is_set(entry) != 0 ? Int64(archive_entry_size(entry)) : nil
            isDirectory = carchive_entry_is_directory(entry) != 0
            isRegularFile = carchive_entry_is_regular(entry) != 0
            isEncrypted = archive_entry_is_encrypted(entry) != 0
            isDataEncrypted = archive_entry_is_data_encrypted(entry) != 0
        }

        /// The stored name as UTF-8 when libarchive can convert it, else its raw bytes; bytes that
        /// are not UTF-8 become U+FFFD (`String(cString:)` repairs). The daemon runs in the C
        /// locale, where libarchive cannot convert non-ASCII names to the "current" charset.
        private static func pathname(_ entry: OpaquePointer) -> String {
            guard let cString = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry) else { return "" }
            return String(cString: cString)
        }
    }
}
