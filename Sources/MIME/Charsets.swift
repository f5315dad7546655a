#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text from bytes in a named charset: UTF-8, ASCII and Latin-1 here in Swift, everything else
/// (ISO-8859-*, Windows-125x, KOI8, CJK...) through the C library's iconv.
enum Charsets {
    /// UTF-8 when the bytes are valid UTF-8, otherwise Latin-1 (every byte a character), so raw
    /// 8-bit header text always becomes readable and no byte is lost.
    static func decodeLenient(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return latin1(bytes)
    }

    /// Converts `bytes` in `charset` to a String; nil when the charset is unknown here.
    static func decode(_ bytes: [UInt8], charset rawName: String) -> String? {
        let name = normalized(rawName)
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "us", "ansi_x3.4-1968", "":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
            return latin1(bytes)
        default:
            return iconvDecode(bytes, from: name)
        }
    }

    /// Lowercased, trimmed, without an RFC 2231 `*language` suffix; a few common aliases mapped.
    static func normalized(_ name: String) -> String {
        var lowered = name.lowercased().trimmingBlanks()
        if let star = lowered.firstIndex(of: "*") { lowered = String(lowered[..<star]) }
        switch lowered {
        case "cp1252", "x-cp1252": return "windows-1252"
        case "ks_c_5601-1987": return "cp949"
        case "x-sjis", "shift-jis": return "shift_jis"
        default: return lowered
        }
    }

    private static func latin1(_ bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// iconv to UTF-8; invalid input sequences become U+FFFD so one bad byte loses nothing else.
    private static func iconvDecode(_ bytes: [UInt8], from charset: String) -> String? {
        let converter = iconv_open("UTF-8", charset)
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 2)
        input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                guard let inBase = inBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return }
                var inOffset = 0
                while inOffset < inBuffer.count {
                    var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase + inOffset)
                        .assumingMemoryBound(to: CChar.self)
                    var inLeft = inBuffer.count - inOffset
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count
                    let status = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    result.append(contentsOf: UnsafeBufferPointer(start: outBase, count: outBuffer.count - outLeft))
                    inOffset = inBuffer.count - inLeft
                    if status == -1 {
                        if errno == E2BIG { continue }
                        // EILSEQ or EINVAL: replace one byte and go on.
                        result.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        inOffset += 1
                    }
                }
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    func trimmingBlanks() -> String {
        let utf8 = self.utf8
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = utf8.firstIndex(where: { !isBlank($0) }),
              let last = utf8.lastIndex(where: { !isBlank($0) }) else { return "" }
        if first == utf8.startIndex && utf8.index(after: last) == utf8.endIndex { return String(self) }
        // Blanks are ASCII, so these indices are always on character boundaries.
        return String(self[first...last])
    }
}
