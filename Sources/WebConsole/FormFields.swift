import Foundation

/// `application/x-www-form-urlencoded` bodies and query strings (the WHATWG URL standard's
/// parser: `+` is a space, `%XX` a byte; bytes that are not UTF-8 are replaced).
enum FormFields {
    /// Every name with its values, in order.
    static func parseAll(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.map({ decode(String($0)) }), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? decode(String(parts[1])) : "")
        }
    }

    /// The first value of each name.
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in parseAll(text) where fields[name] == nil { fields[name] = value }
        return fields
    }

    static func decode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                    bytes.append(byte)
                    continue
                }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` percent-encoded for a query value.
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
