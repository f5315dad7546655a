/// One header field as text: the name as written and the value unfolded.
public struct HeaderField: Sendable, Hashable {
    /// The field name as written (compare case-insensitively).
    public let name: String
    /// The value with folding removed and surrounding blanks trimmed; 8-bit bytes are read as
    /// UTF-8 when valid, else Latin-1. RFC 2047 words are left encoded (see `decodedHeader`).
    public let value: String
}

extension MIMEPart {
    /// Every header field in order, duplicates included.
    public var headerFields: [HeaderField] {
        mapFields { access, field in
            HeaderField(
                name: Charsets.decodeLenient(UnsafeBufferPointer(start: access.base + field.name.lowerBound, count: field.name.count)),
                value: Charsets.decodeLenient(access.unfoldedValue(of: field)).trimmingBlanks()
            )
        }
    }

    /// The first value of header `name` (case-insensitive), unfolded; nil if absent.
    public func header(_ name: String) -> String? {
        headers(named: name).first
    }

    /// Every value of header `name` (case-insensitive), in order.
    public func headers(named name: String) -> [String] {
        let wanted = Array(name.lowercased().utf8)
        return mapFields { access, field in
            guard field.name.count == wanted.count,
                  zip(field.name, wanted).allSatisfy({ offset, byte in Self.lower(access.base[offset]) == byte }) else { return nil }
            return Charsets.decodeLenient(access.unfoldedValue(of: field)).trimmingBlanks()
        }
    }

    /// The first value of header `name` with RFC 2047 encoded words decoded to Unicode.
    public func decodedHeader(_ name: String) -> String? {
        guard let value = header(name) else { return nil }
        return EncodedWords.decode(Array(value.utf8)).text
    }

    /// Applies `transform` to each raw field while the message bytes are accessible.
    private func mapFields<T>(_ transform: (FieldAccess, RawHeaderField) -> T?) -> [T] {
        message.withUnsafeBytes { raw in
            // An empty message has no fields, so a missing base address simply means none.
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
            let access = FieldAccess(base: base)
            return fields.compactMap { transform(access, $0) }
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
