/// The original file name a gzip member header records (RFC 1952 section 2.3, the FNAME
/// field), read in pure Swift: libarchive 3.6's `raw` format calls every stream `data`.
enum GzipHeader {
    /// FLG bits (RFC 1952 section 2.3.1).
    private static let fextra: UInt8 = 0x04
    private static let fname: UInt8 = 0x08
    /// Longer names are cut: no file system stores more, and a hostile header has no end.
    private static let maxNameLength = 1024

    /// The FNAME of the gzip member at the start of `bytes`, or nil when there is none.
    static func originalName(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= 10, bytes[0] == 0x1f, bytes[1] == 0x8b, bytes[3] & fname != 0 else { return nil }
        var offset = 10
        if bytes[3] & fextra != 0 {
            guard bytes.count >= offset + 2 else { return nil }
            offset += 2 + Int(bytes[offset]) + Int(bytes[offset + 1]) << 8
        }
        var scalars = String.UnicodeScalarView()
        // The name is ISO 8859-1 and ends with a zero byte; every Latin-1 byte is a Unicode scalar.
        while offset < bytes.count, bytes[offset] != 0, scalars.count < maxNameLength {
            scalars.append(Unicode.Scalar(bytes[offset]))
            offset += 1
        }
        return scalars.isEmpty ? nil : String(scalars)
    }
}
