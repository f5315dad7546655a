/// A parser for the TOML 1.0 used by configuration files: tables and dotted keys, basic and
/// literal strings (single and multi-line), integers (decimal, hex, octal, binary, `_`), floats,
/// booleans, date-times (kept as text), arrays and inline tables, comments.
///
/// Why our own: every error and every value carries its line, which is what an administrator
/// needs to fix a config file at 3 a.m.; and a config file does not justify a C++ dependency.
/// Spec: https://toml.io/en/v1.0.0
public struct TOMLParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    /// Parses `text` into its root table, or throws a `TOMLSyntaxError` naming the line.
    public static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8))
        return try parser.document()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: document structure

    private mutating func document() throws(TOMLSyntaxError) -> TOMLTable {
        var root = TOMLTable()
        // The path of the table that bare keys go into, and whether it is an array-of-tables element.
        var current: [String] = []
        var defined: Set<[String]> = []
        while true {
            skipWhitespaceAndComments(newlines: true)
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "[") {
                let headerLine = line
                advance()
                let isArray = peek() == UInt8(ascii: "[")
                if isArray { advance() }
                skipInlineWhitespace()
                let path = try key()
                skipInlineWhitespace()
                try expect("]")
                if isArray { try expect("]") }
                try endOfLine()
                if isArray {
                    try appendArrayTable(path, in: &root, line: headerLine)
                    // A new element starts fresh: its [a.b] sub-tables may be defined again
                    // (each [[override]] has its own [override.actions]).
                    defined = defined.filter { !($0.count > path.count && Array($0.prefix(path.count)) == path) }
                    current = path
                } else {
                    guard !defined.contains(path) else {
                        throw error("table [\(path.joined(separator: "."))] is defined twice", line: headerLine)
                    }
                    defined.insert(path)
                    try ensureTable(path, in: &root, line: headerLine)
                    current = path
                }
            } else {
                let keyLine = line
                let path = try key()
                skipInlineWhitespace()
                try expect("=")
                skipInlineWhitespace()
                let value = try self.value()
                try endOfLine()
                try insert(value, at: current + path, in: &root, line: keyLine)
            }
        }
        return root
    }

    private mutating func endOfLine() throws(TOMLSyntaxError) {
        skipInlineWhitespace()
        if peek() == UInt8(ascii: "#") { skipComment() }
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n")) {
            skipOneNewline()
        } else {
            throw error("unexpected \(describe(byte)) after the value; one key = value per line")
        }
    }

    // MARK: keys

    private mutating func key() throws(TOMLSyntaxError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            skipInlineWhitespace()
            guard peek() == UInt8(ascii: ".") else { break }
            advance()
            skipInlineWhitespace()
            parts.append(try simpleKey())
        }
        return parts
    }

    private mutating func simpleKey() throws(TOMLSyntaxError) -> String {
        guard let byte = peek() else { throw error("expected a key at the end of the file") }
        if byte == UInt8(ascii: "\"") { return try basicString() }
        if byte == UInt8(ascii: "'") { return try literalString() }
        let start = index
        while let b = peek(), isBareKeyByte(b) { advance() }
        guard index > start else { throw error("expected a key, found \(describe(byte))") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isBareKeyByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    // MARK: values

    private mutating func value() throws(TOMLSyntaxError) -> TOMLValue {
        let startLine = line
        guard let byte = peek() else { throw error("expected a value at the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if starts(with: "\"\"\"") { return TOMLValue(.string(try multilineBasicString()), line: startLine) }
            return TOMLValue(.string(try basicString()), line: startLine)
        case UInt8(ascii: "'"):
            if starts(with: "'''") { return TOMLValue(.string(try multilineLiteralString()), line: startLine) }
            return TOMLValue(.string(try literalString()), line: startLine)
        case UInt8(ascii: "["):
            return TOMLValue(.array(try array()), line: startLine)
        case UInt8(ascii: "{"):
            return TOMLValue(.table(try inlineTable()), line: startLine)
        default:
            if starts(with: "true") && !isBareKeyByte(peek(4) ?? 0) {
                advance(4)
                return TOMLValue(.boolean(true), line: startLine)
            }
            if starts(with: "false") && !isBareKeyByte(peek(5) ?? 0) {
                advance(5)
                return TOMLValue(.boolean(false), line: startLine)
            }
            return TOMLValue(try numberOrDate(), line: startLine)
        }
    }

    private mutating func array() throws(TOMLSyntaxError) -> [TOMLValue] {
        let openLine = line
        advance()  // [
        var items: [TOMLValue] = []
        while true {
            skipWhitespaceAndComments(newlines: true)
            guard let byte = peek() else { throw error("array opened on line \(openLine) is not closed") }
            if byte == UInt8(ascii: "]") {
                advance()
                return items
            }
            items.append(try value())
            skipWhitespaceAndComments(newlines: true)
            if peek() == UInt8(ascii: ",") {
                advance()
            } else if peek() == nil {
                throw error("array opened on line \(openLine) is not closed")
            } else if peek() != UInt8(ascii: "]") {
                throw error("expected ',' or ']' in the array opened on line \(openLine)")
            }
        }
    }

    private mutating func inlineTable() throws(TOMLSyntaxError) -> TOMLTable {
        let openLine = line
        advance()  // {
        var table = TOMLTable(line: openLine)
        skipInlineWhitespace()
        if peek() == UInt8(ascii: "}") {
            advance()
            return table
        }
        while true {
            skipInlineWhitespace()
            let keyLine = line
            let path = try key()
            skipInlineWhitespace()
            try expect("=")
            skipInlineWhitespace()
            let item = try value()
            try insert(item, at: path, in: &table, line: keyLine)
            skipInlineWhitespace()
            guard let byte = peek() else { throw error("inline table opened on line \(openLine) is not closed") }
            advance()
            if byte == UInt8(ascii: "}") { return table }
            guard byte == UInt8(ascii: ",") else {
                throw error("expected ',' or '}' in the inline table, found \(describe(byte))")
            }
        }
    }

    private mutating func numberOrDate() throws(TOMLSyntaxError) -> TOMLValue.Kind {
        let start = index
        while let b = peek(), !isValueTerminator(b) { advance() }
        // A date-time may contain one space between date and time ("1979-05-27 07:32:00").
        if peek() == UInt8(ascii: " "), index - start == 10, bytes[start + 4] == UInt8(ascii: "-"),
           let next = peek(1), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
            advance()
            while let b = peek(), !isValueTerminator(b) { advance() }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty else { throw error("expected a value, found \(peek().map(describe) ?? "the end")") }
        if let kind = Self.number(text) { return kind }
        if Self.looksLikeDate(text) { return .dateTime(text) }
        throw error("'\(text)' is not a valid value; strings need quotes, e.g. \"\(text)\"", line: line)
    }

    private func isValueTerminator(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
            || b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == UInt8(ascii: "#")
    }

    private static func number(_ text: String) -> TOMLValue.Kind? {
        switch text {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        // Underscores must sit between digits.
        if text.hasPrefix("_") || text.hasSuffix("_") || text.contains("__") { return nil }
        let plain = text.filter { $0 != "_" }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where plain.hasPrefix(prefix) {
            return Int64(plain.dropFirst(2), radix: radix).map { .integer($0) }
        }
        let unsigned = plain.hasPrefix("+") || plain.hasPrefix("-") ? String(plain.dropFirst()) : plain
        if unsigned.count > 1, unsigned.hasPrefix("0"), unsigned.allSatisfy(\.isNumber) { return nil }  // no leading zeros
        if let integer = Int64(plain) { return .integer(integer) }
        if plain.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let double = Double(plain),
           !plain.hasPrefix("."), !plain.hasSuffix(".") {
            return .float(double)
        }
        return nil
    }

    private static func looksLikeDate(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber).count
        return digits >= 6 && (text.contains("-") || text.contains(":"))
            && text.allSatisfy { $0.isNumber || "-:.TtZz+ ".contains($0) }
    }

    // MARK: strings

    private mutating func basicString() throws(TOMLSyntaxError) -> String {
        advance()  // "
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("string is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("string is not closed on its line (use \"\"\" for a multi-line string)")
            default:
                try checkControl(byte)
                out.append(byte)
                advance()
            }
        }
    }

    private mutating func multilineBasicString() throws(TOMLSyntaxError) -> String {
        let openLine = line
        advance(3)
        skipOneNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("multi-line string opened on line \(openLine) is not closed") }
            if starts(with: "\"\"\"") {
                // Up to two quotes may end the content right before the delimiter.
                var extra = 0
                while extra < 2, peek(3 + extra) == UInt8(ascii: "\"") { extra += 1 }
                out += Array(repeating: UInt8(ascii: "\""), count: extra)
                advance(3 + extra)
                return String(decoding: out, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                // A backslash at the end of a line trims the newline and following white space.
                var look = 1
                while let b = peek(look), b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { look += 1 }
                if peek(look) == UInt8(ascii: "\n") || (peek(look) == UInt8(ascii: "\r") && peek(look + 1) == UInt8(ascii: "\n")) {
                    advance(look)
                    skipWhitespaceAndComments(newlines: true, comments: false)
                    continue
                }
                try escape(into: &out)
                continue
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            if byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") { try checkControl(byte) }
            out.append(byte)
            index += 1
        }
    }

    private mutating func literalString() throws(TOMLSyntaxError) -> String {
        advance()  // '
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "'") {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("string is not closed on its line (use ''' for a multi-line string)")
            }
            try checkControl(byte)
            advance()
        }
        guard peek() != nil else { throw error("string is not closed") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        advance()
        return text
    }

    private mutating func multilineLiteralString() throws(TOMLSyntaxError) -> String {
        let openLine = line
        advance(3)
        skipOneNewline()
        let start = index
        while !starts(with: "'''") {
            guard let byte = peek() else { throw error("multi-line string opened on line \(openLine) is not closed") }
            if byte == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        var end = index
        var extra = 0
        while extra < 2, peek(3 + extra) == UInt8(ascii: "'") { extra += 1 }
        end += extra
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        advance(3 + extra)
        return text
    }

    private mutating func escape(into out: inout [UInt8]) throws(TOMLSyntaxError) {
        advance()  // backslash
        guard let byte = peek() else { throw error("escape at the end of the file") }
        advance()
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let width = byte == UInt8(ascii: "u") ? 4 : 8
            guard index + width <= bytes.count,
                  let scalarValue = UInt32(String(decoding: bytes[index..<index + width], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(scalarValue)
            else { throw error("invalid unicode escape") }
            out += Array(String(Character(scalar)).utf8)
            advance(width)
        default:
            throw error("unknown escape \\\(describe(byte)); write \\\\ for a backslash")
        }
    }

    private func checkControl(_ byte: UInt8) throws(TOMLSyntaxError) {
        if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw error("control character \(describe(byte)) in a string; escape it")
        }
    }

    // MARK: building tables

    private func ensureTable(_ path: [String], in root: inout TOMLTable, line: Int) throws(TOMLSyntaxError) {
        try Self.modify(&root, path: path[...], line: line) { (_: inout TOMLTable) throws(TOMLSyntaxError) in }
    }

    private func appendArrayTable(_ path: [String], in root: inout TOMLTable, line: Int) throws(TOMLSyntaxError) {
        guard let last = path.last else { return }
        try Self.modify(&root, path: path.dropLast(), line: line) { (table: inout TOMLTable) throws(TOMLSyntaxError) in
            var items: [TOMLValue] = []
            if let existing = table[last] {
                guard case .array(let values) = existing.kind else {
                    throw TOMLSyntaxError(line: line, message: "'\(last)' is already \(existing.typeName), not an array of tables")
                }
                items = values
            }
            items.append(TOMLValue(.table(TOMLTable(line: line)), line: line))
            table[last] = TOMLValue(.array(items), line: line)
        }
    }

    private func insert(_ value: TOMLValue, at path: [String], in root: inout TOMLTable, line: Int) throws(TOMLSyntaxError) {
        guard let last = path.last else { return }
        try Self.modify(&root, path: path.dropLast(), line: line) { (table: inout TOMLTable) throws(TOMLSyntaxError) in
            if table[last] != nil {
                throw TOMLSyntaxError(line: line, message: "key '\(path.joined(separator: "."))' is defined twice")
            }
            table[last] = value
        }
    }

    /// Walks (creating as needed) the tables along `path` and lets `body` change the last one.
    /// Iterative over the path but recursive over its length, which is bounded by the key's parts.
    private static func modify(
        _ table: inout TOMLTable, path: ArraySlice<String>, line: Int,
        _ body: (inout TOMLTable) throws(TOMLSyntaxError) -> Void
    ) throws(TOMLSyntaxError) {
        guard let first = path.first else {
            try body(&table)
            return
        }
        var child: TOMLTable
        var isArrayElement = false
        var arrayItems: [TOMLValue] = []
        switch table[first]?.kind {
        case nil:
            child = TOMLTable(line: line)
        case .table(let existing):
            child = existing
        case .array(let items):
            // [[a]] then [a.b]: the key refers to the last element of the array of tables.
            guard case .table(let lastTable)? = items.last?.kind else {
                throw TOMLSyntaxError(line: line, message: "'\(first)' is an array, not a table")
            }
            child = lastTable
            isArrayElement = true
            arrayItems = items
        case .some:
            throw TOMLSyntaxError(line: line, message: "'\(first)' is already a value, not a table")
        }
        try modify(&child, path: path.dropFirst(), line: line, body)
        if isArrayElement {
            arrayItems[arrayItems.count - 1] = TOMLValue(.table(child), line: arrayItems[arrayItems.count - 1].line)
            table[first] = TOMLValue(.array(arrayItems), line: table[first]?.line ?? line)
        } else {
            table[first] = TOMLValue(.table(child), line: table[first]?.line ?? line)
        }
    }

    // MARK: low-level reading

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        index = min(index + count, bytes.count)
    }

    private func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return text.withUTF8Buffer { bytes[index..<index + count].elementsEqual($0) }
    }

    private mutating func expect(_ character: Unicode.Scalar) throws(TOMLSyntaxError) {
        guard peek() == UInt8(ascii: character) else {
            throw error("expected '\(character)', found \(peek().map(describe) ?? "the end of the file")")
        }
        advance()
    }

    private mutating func skipInlineWhitespace() {
        while let b = peek(), b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { advance() }
    }

    private mutating func skipComment() {
        while let b = peek(), b != UInt8(ascii: "\n") { advance() }
    }

    private mutating func skipOneNewline() {
        if peek() == UInt8(ascii: "\n") {
            advance()
            line += 1
        } else if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            advance(2)
            line += 1
        }
    }

    private mutating func skipWhitespaceAndComments(newlines: Bool, comments: Bool = true) {
        while let b = peek() {
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") {
                advance()
            } else if b == UInt8(ascii: "\n") && newlines {
                advance()
                line += 1
            } else if b == UInt8(ascii: "#") && comments {
                skipComment()
            } else {
                return
            }
        }
    }

    private func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private func error(_ message: String, line: Int? = nil) -> TOMLSyntaxError {
        TOMLSyntaxError(line: line ?? self.line, message: message)
    }
}

/// A TOML document that does not parse, with the line where it went wrong.
public struct TOMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// What is wrong, in words an administrator can act on.
    public var message: String

    public var description: String { "line \(line): \(message)" }
}
