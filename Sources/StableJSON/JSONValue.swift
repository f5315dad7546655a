/// Any JSON value, for passing on a document this process did not define (the daemon's
/// status inside `scanmilterctl status --json`). Objects follow the encoder's key order: ask
/// ``StableJSONEncoder`` for sorted keys to make them stable.
public enum JSONValue: Codable, Equatable, Sendable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Any number (JSON does not tell integers apart).
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Reads whatever JSON value the decoder holds.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let flag = try? single.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? single.decode(Double.self) {
            self = .number(number)
        } else if let text = try? single.decode(String.self) {
            self = .string(text)
        } else if let items = try? single.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try single.decode([String: JSONValue].self))
        }
    }

    /// Writes the value as it was read.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let flag): try flag.encode(to: encoder)
        case .number(let number): try number.encode(to: encoder)
        case .string(let text): try text.encode(to: encoder)
        case .array(let items): try items.encode(to: encoder)
        case .object(let fields): try fields.encode(to: encoder)
        }
    }

    /// Text as it is, anything else as compact JSON with sorted keys.
    public var description: String {
        if case .string(let text) = self { return text }
        return (try? StableJSONEncoder(sortedKeys: true).encode(self)) ?? "null"
    }
}
