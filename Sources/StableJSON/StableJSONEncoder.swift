import Foundation

/// The one way scanmilter writes JSON: any `Encodable` value, with object keys in the order the
/// value encodes them (a synthesised `Encodable` follows its properties) or sorted, so `--json`
/// output and JSON log lines are stable for scripts. Foundation's `JSONEncoder` orders keys only
/// by sorting them; this one keeps the documented order of `mime --json` and the log line.
public struct StableJSONEncoder: Sendable {
    /// Object keys sorted by their UTF-8 bytes rather than in encoding order.
    public var sortedKeys: Bool
    /// Indented over several lines, in Foundation's `.prettyPrinted` layout (`"key" : value`).
    public var prettyPrinted: Bool
    /// A nil optional is written as `null` rather than left out.
    public var writesNulls: Bool

    /// An encoder writing one compact line, keys in encoding order, nil optionals left out unless `writesNulls`.
    public init(sortedKeys: Bool = false, prettyPrinted: Bool = false, writesNulls: Bool = false) {
        self.sortedKeys = sortedKeys
        self.prettyPrinted = prettyPrinted
        self.writesNulls = writesNulls
    }

    /// `value` as JSON text. Dates are written in ISO 8601 (`2026-11-25T10:07:00Z`); a number
    /// that is not finite cannot be written and throws.
    public func encode(_ value: some Encodable) throws -> String {
        let root = JSONSlot()
        try NodeEncoder(slot: root, codingPath: [], writesNulls: writesNulls).box(value, into: root)
        var out = ""
        write(root.node, to: &out, indent: 0)
        return out
    }

    private func write(_ node: JSONNode, to out: inout String, indent: Int) {
        switch node {
        case .scalar(let text):
            out += text
        case .array(let items):
            guard prettyPrinted else {
                out += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { out += "," }
                    write(item.node, to: &out, indent: indent)
                }
                out += "]"
                return
            }
            // Foundation's layout, empty arrays and objects included: "[\n\n  ]".
            out += items.isEmpty ? "[\n\n" : "[\n"
            for (index, item) in items.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                write(item.node, to: &out, indent: indent + 1)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members):
            let ordered = sortedKeys ? members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) } : members
            guard prettyPrinted else {
                out += "{"
                for (index, member) in ordered.enumerated() {
                    if index > 0 { out += "," }
                    out += Self.quoted(member.key) + ":"
                    write(member.value.node, to: &out, indent: indent)
                }
                out += "}"
                return
            }
            out += ordered.isEmpty ? "{\n\n" : "{\n"
            for (index, member) in ordered.enumerated() {
                out += String(repeating: "  ", count: indent + 1) + Self.quoted(member.key) + " : "
                write(member.value.node, to: &out, indent: indent + 1)
                out += index == ordered.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped,
    /// and also DEL, the C1 controls and U+2028/U+2029, which some readers take as line breaks.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A value being built; containers keep a reference so nested ones can be filled later.
final class JSONSlot {
    var node: JSONNode = .scalar("null")
}

/// JSON as a tree whose objects keep their keys in order.
enum JSONNode {
    /// `null`, `true`, a number or a string literal, already written.
    case scalar(String)
    case array([JSONSlot])
    case object([(key: String, value: JSONSlot)])
}

/// The `Encoder` behind ``StableJSONEncoder``.
struct NodeEncoder: Encoder {
    let slot: JSONSlot
    let codingPath: [any CodingKey]
    let writesNulls: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.node {} else { slot.node = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.node {} else { slot.node = .array([]) }
        return UnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(encoder: self)
    }

    /// An encoder for a value one level down, at `key`.
    func child(_ slot: JSONSlot, _ key: (any CodingKey)?) -> NodeEncoder {
        NodeEncoder(slot: slot, codingPath: key.map { codingPath + [$0] } ?? codingPath, writesNulls: writesNulls)
    }

    /// Writes `value` into `slot`: scalars directly, anything else through its own `encode(to:)`.
    func box(_ value: some Encodable, into slot: JSONSlot) throws {
        switch value {
        case let text as String: slot.node = .scalar(StableJSONEncoder.quoted(text))
        case let flag as Bool: slot.node = .scalar(flag ? "true" : "false")
        case let number as any BinaryInteger: slot.node = .scalar(String(describing: number))
        case let number as Double: slot.node = .scalar(try Self.number(number, codingPath))
        case let number as Float: slot.node = .scalar(try Self.number(Double(number), codingPath))
        case let date as Date: slot.node = .scalar(StableJSONEncoder.quoted(date.formatted(.iso8601)))
        default: try value.encode(to: child(slot, nil))
        }
    }

    /// A finite number as JSON writes it: whole numbers without a fraction (`2`, not `2.0`).
    private static func number(_ value: Double, _ path: [any CodingKey]) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not a JSON number"))
        }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func slot(_ key: Key) -> JSONSlot {
        guard case .object(var members) = encoder.slot.node else { return JSONSlot() }
        if let existing = members.first(where: { $0.key == key.stringValue }) { return existing.value }
        let slot = JSONSlot()
        members.append((key.stringValue, slot))
        encoder.slot.node = .object(members)
        return slot
    }

    mutating func encodeNil(forKey key: Key) throws {
        slot(key).node = .scalar("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        // A key written again replaces its value (in place: the key keeps its position).
        let target = slot(key)
        target.node = .scalar("null")
        try encoder.child(target, key).box(value, into: target)
    }

    // A synthesised `Encodable` writes an optional property through the `encodeIfPresent` of its
    // wrapped type: each must honour `writesNulls`.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try present(value, key) }

    private mutating func present<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value {
            try encode(value, forKey: key)
        } else if encoder.writesNulls {
            try encodeNil(forKey: key)
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.child(slot(key), key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.child(slot(key), key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        // Foundation's key for a superclass; a key type that cannot name it gets a detached value.
        let key = Key(stringValue: "super")
        return encoder.child(key.map(slot) ?? JSONSlot(), key)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.child(slot(key), key)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int {
        if case .array(let items) = encoder.slot.node { return items.count }
        return 0
    }

    private func append() -> JSONSlot {
        let slot = JSONSlot()
        if case .array(let items) = encoder.slot.node { encoder.slot.node = .array(items + [slot]) }
        return slot
    }

    mutating func encodeNil() throws {
        append().node = .scalar("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.box(value, into: append())
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder.child(append(), nil).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.child(append(), nil).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.child(append(), nil)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: NodeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws {
        encoder.slot.node = .scalar("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try encoder.box(value, into: encoder.slot)
    }
}
