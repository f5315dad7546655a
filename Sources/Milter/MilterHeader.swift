/// One header field as the MTA sent it to the header callback.
///
/// Header values may carry 8-bit bytes that are not UTF-8 (or anything else); ``valueBytes``
/// holds them exactly, ``value`` is a String with invalid sequences replaced by U+FFFD.
public struct MilterHeader: Sendable, Hashable, CustomStringConvertible {
    /// The field name, e.g. `Subject` (names are ASCII by RFC 5322; other bytes are replaced).
    public let name: String
    /// The field value's bytes, exactly as received (without the trailing CRLF).
    public let valueBytes: [UInt8]

    /// Creates a header from its name and raw value bytes.
    public init(name: String, valueBytes: [UInt8]) {
        self.name = name
        self.valueBytes = valueBytes
    }

    /// Creates a header from its name and a value string.
    public init(name: String, value: String) {
        self.init(name: name, valueBytes: Array(value.utf8))
    }

    /// The value decoded as UTF-8, invalid sequences replaced by U+FFFD.
    public var value: String { String(decoding: valueBytes, as: UTF8.self) }

    /// `Name: value`.
    public var description: String { "\(name): \(value)" }
}
