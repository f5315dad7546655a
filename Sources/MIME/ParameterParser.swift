/// Parses structured header values `value; name=token; name="quoted"` (RFC 2045 §5.1) with
/// RFC 2231 extensions (`name*=charset'lang'%XX`, `name*0=`, `name*1*=`), tolerant of the
/// broken syntax real mail carries (missing quotes, stray semicolons, unterminated strings).
enum ParameterParser {
    /// One parameter after RFC 2231 assembly; `raw` keeps the undecoded bytes (boundaries are
    /// compared as bytes, not as text).
    struct Parameter {
        let name: String
        let value: String
        let raw: [UInt8]
        let isExtended: Bool
        /// For RFC 2231 sections with a gap (0, 1, 3): the value up to the gap, which is what
        /// readers that stop there (Python's email) show.
        var valueBeforeGap: String? = nil
    }

    /// The main value (before the first `;`, comments and blanks removed) and the parameters.
    struct Result {
        var value: String = ""
        var parameters: [Parameter] = []
        var defects: [(MIMEDefect.Name, String)] = []
    }

    /// One `name=value` as written, before RFC 2231 sections are joined.
    private struct Piece {
        let name: String
        let section: Int?
        let extended: Bool
        let value: [UInt8]
    }

    static func parse(_ bytes: [UInt8]) -> Result {
        var result = Result()
        var index = 0
        let count = bytes.count

        // The main value: up to ';', without RFC 822 comments.
        var main: [UInt8] = []
        var commentDepth = 0
        while index < count && bytes[index] != 0x3B {
            let byte = bytes[index]
            if byte == 0x28 { commentDepth += 1 } else if byte == 0x29 && commentDepth > 0 { commentDepth -= 1 } else if commentDepth == 0 { main.append(byte) }
            index += 1
        }
        result.value = Charsets.decodeLenient(main).trimmingBlanks()

        var pieces: [Piece] = []
        while index < count {
            if bytes[index] == 0x3B || isBlank(bytes[index]) {
                index += 1
                continue
            }
            let nameStart = index
            while index < count && bytes[index] != 0x3D && bytes[index] != 0x3B { index += 1 }
            let rawName = Charsets.decodeLenient(bytes[nameStart..<index]).trimmingBlanks().lowercased()
            guard index < count && bytes[index] == 0x3D else {
                if !rawName.isEmpty {
                    result.defects.append((.invalidParameter, "parameter '\(rawName.prefix(64))' has no value"))
                }
                continue
            }
            index += 1
            while index < count && isBlank(bytes[index]) { index += 1 }
            var value: [UInt8] = []
            if index < count && bytes[index] == 0x22 {
                index += 1
                var closed = false
                while index < count {
                    let byte = bytes[index]
                    if byte == 0x5C && index + 1 < count {
                        value.append(bytes[index + 1])
                        index += 2
                    } else if byte == 0x22 {
                        closed = true
                        index += 1
                        break
                    } else {
                        value.append(byte)
                        index += 1
                    }
                }
                if !closed {
                    result.defects.append((.invalidParameter, "unterminated quoted value of '\(rawName.prefix(64))'"))
                }
                // Anything between the closing quote and the next ';' is junk; skip it.
                while index < count && bytes[index] != 0x3B { index += 1 }
            } else {
                let start = index
                while index < count && bytes[index] != 0x3B { index += 1 }
                var end = index
                while end > start && isBlank(bytes[end - 1]) { end -= 1 }
                value = Array(bytes[start..<end])
            }
            if rawName.isEmpty {
                result.defects.append((.invalidParameter, "parameter without a name"))
                continue
            }
            pieces.append(piece(name: rawName, value: value))
        }
        assemble(pieces, into: &result)
        return result
    }

    /// Splits `name*2*` into base name, section and the extended flag.
    private static func piece(name: String, value: [UInt8]) -> Piece {
        guard let star = name.firstIndex(of: "*") else {
            return Piece(name: name, section: nil, extended: false, value: value)
        }
        let base = String(name[..<star])
        var rest = name[name.index(after: star)...]
        var extended = false
        if rest.hasSuffix("*") {
            extended = true
            rest = rest.dropLast()
        }
        if rest.isEmpty {
            return Piece(name: base, section: nil, extended: true, value: value)
        }
        if let section = Int(rest), section >= 0, section < 10_000 {
            return Piece(name: base, section: section, extended: extended, value: value)
        }
        return Piece(name: name, section: nil, extended: false, value: value)
    }

    /// Joins RFC 2231 sections and decodes values; the result keeps first-occurrence order.
    private static func assemble(_ pieces: [Piece], into result: inout Result) {
        var order: [String] = []
        var groups: [String: [Piece]] = [:]
        var plainSlots: [(index: Int, piece: Piece)] = []
        for piece in pieces {
            if piece.section == nil && !piece.extended {
                plainSlots.append((order.count, piece))
                order.append("")
                continue
            }
            let key = piece.section == nil ? "\(piece.name)*" : piece.name
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(piece)
        }
        var plainIterator = plainSlots.makeIterator()
        var nextPlain = plainIterator.next()
        for (position, key) in order.enumerated() {
            if let slot = nextPlain, slot.index == position {
                let piece = slot.piece
                result.parameters.append(Parameter(
                    name: piece.name, value: Charsets.decodeLenient(piece.value), raw: piece.value, isExtended: false
                ))
                nextPlain = plainIterator.next()
                continue
            }
            guard let group = groups[key], let first = group.first else { continue }
            result.parameters.append(joined(group, name: first.name, defects: &result.defects))
        }
    }

    /// One RFC 2231 parameter from its sections (or a single `name*=` piece).
    private static func joined(_ group: [Piece], name: String, defects: inout [(MIMEDefect.Name, String)]) -> Parameter {
        let sorted = group.sorted { ($0.section ?? 0) < ($1.section ?? 0) }
        let sections = sorted.map { $0.section ?? 0 }
        var beforeGap: String?
        if sections != Array(0..<sections.count) {
            defects.append((.invalidRFC2231Parameter, "parameter '\(name.prefix(64))' has sections \(sections.prefix(10)) instead of 0, 1, 2..."))
            let contiguous = zip(sections, 0...).prefix { $0.0 == $0.1 }.count
            if contiguous > 0 && contiguous < sorted.count {
                var ignored: [(MIMEDefect.Name, String)] = []
                beforeGap = joined(Array(sorted.prefix(contiguous)), name: name, defects: &ignored).value
            }
        }
        var charset = ""
        var bytes: [UInt8] = []
        var anyExtended = false
        for (offset, piece) in sorted.enumerated() {
            var value = piece.value[...]
            if piece.extended {
                anyExtended = true
                if offset == 0 {
                    // charset'language'value: both quotes must be there; take what is before the first.
                    let quotes = value.indices.filter { value[$0] == 0x27 }.prefix(2)
                    if quotes.count == 2, let first = quotes.first, let second = quotes.last {
                        charset = Charsets.decodeLenient(value[value.startIndex..<first])
                        value = value[(second + 1)...]
                    }
                }
                bytes.append(contentsOf: percentDecoded(value, name: name, defects: &defects))
            } else {
                bytes.append(contentsOf: value)
            }
        }
        var text: String
        if anyExtended && !charset.isEmpty {
            if let decoded = Charsets.decode(bytes, charset: charset) {
                text = decoded
            } else {
                defects.append((.unknownCharset, "charset '\(charset.prefix(40))' of parameter '\(name.prefix(64))'"))
                text = Charsets.decodeLenient(bytes)
            }
        } else {
            text = Charsets.decodeLenient(bytes)
        }
        if text.utf8.count > 0 && text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        return Parameter(name: name, value: text, raw: bytes, isExtended: true, valueBeforeGap: beforeGap)
    }

    private static func percentDecoded(_ value: ArraySlice<UInt8>, name: String, defects: inout [(MIMEDefect.Name, String)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var index = value.startIndex
        var broken = false
        while index < value.endIndex {
            let byte = value[index]
            if byte == 0x25, index + 2 < value.endIndex,
               let high = QuotedPrintableDecoder.hexValue(value[index + 1]),
               let low = QuotedPrintableDecoder.hexValue(value[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                if byte == 0x25 { broken = true }
                out.append(byte)
                index += 1
            }
        }
        if broken {
            defects.append((.invalidRFC2231Parameter, "broken percent escape in '\(name.prefix(64))'"))
        }
        return out
    }

    @inline(__always)
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
