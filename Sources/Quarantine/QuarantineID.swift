/// The identifier of one quarantine entry: 22 characters of base64url (16 random bytes).
///
/// An id names a file in the store directory, so anything else — `../x`, `a/b`, a shorter or
/// longer string — is refused here, before any file is touched.
public struct QuarantineID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The id as text: exactly ``length`` characters of `A-Z a-z 0-9 - _`.
    public let rawValue: String

    /// The length of every id.
    public static let length = 22

    /// An id from text, or nil when it is not one (wrong length or a character outside base64url).
    public init?(_ text: String) {
        guard text.utf8.count == Self.length, text.utf8.allSatisfy(Self.isURLSafe) else { return nil }
        rawValue = text
    }

    /// A new id from 16 bytes of the system's cryptographic random source. It never starts with
    /// `-` (a command line would read `scanmilterctl quarantine show -Ab...` as an option) or `_`.
    static func random() -> QuarantineID {
        var generator = SystemRandomNumberGenerator()
        while true {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16)
            for _ in 0..<2 {
                let word = generator.next() as UInt64
                for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            let text = Self.base64URL(bytes)
            if let first = text.first, first != "-", first != "_" { return QuarantineID(unchecked: text) }
        }
    }

    private init(unchecked text: String) { rawValue = text }

    /// The id as text.
    public var description: String { rawValue }

    /// Ids order by their text.
    public static func < (lhs: QuarantineID, rhs: QuarantineID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes an id and refuses text that is not one.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = QuarantineID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a quarantine id"))
        }
        self = id
    }

    /// Encodes the id as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    static func isURLSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// RFC 4648 section 5 (base64url), without padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for byte in chunk { value = value << 8 | UInt32(byte) }
            value <<= UInt32(8 * (3 - chunk.count))
            for position in 0...chunk.count {
                output.append(alphabet[Int((value >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
