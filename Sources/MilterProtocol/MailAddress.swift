/// An envelope or header address split into local part and domain (pymilter's
/// `Milter.utils.parse_addr` and `parseaddr`), following RFC 5321 §4.1.2 (`Path`, with its
/// obsolete source route) and RFC 5322 §3.4.1 (`addr-spec`, `name-addr`).
///
/// Accepts `user@example.com`, `<user@example.com>`, `<>` (the null sender), a quoted local
/// part (`"john doe"@example.com`, escapes removed), a source route
/// (`<@relay.example,@b.example:user@example.com>`, kept apart), an address literal domain
/// (`user@[192.0.2.1]`), a display name before the angle brackets (`Jane <jane@example.com>`),
/// and a bare local part (`postmaster`), whose domain is nil. UTF-8 local parts and domains
/// (SMTPUTF8) are taken as they are.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The local part with quoting and escapes removed; empty for the null address.
    public let localPart: String
    /// The domain (or `[address literal]`), nil for the null address and a bare local part.
    public let domain: String?
    /// The domains of an obsolete source route, in order, without their `@`.
    public let sourceRoute: [String]
    /// The display name of a `name <addr>` form, as written (quotes removed), else nil.
    public let displayName: String?

    /// True for `<>`, the null reverse path of bounces.
    public var isNull: Bool { localPart.isEmpty && domain == nil }

    /// Parses `text`; throws ``MailAddressError`` naming what is wrong.
    public init(parsing text: String) throws(MailAddressError) {
        var rest = Substring(text).trimmingSpaces
        var displayName: String?
        if rest.last == ">" {
            guard let open = Self.firstUnquoted("<", in: rest) else { throw MailAddressError(text, "a \">\" with no \"<\"") }
            let name = rest[..<open].trimmingSpaces
            if !name.isEmpty { displayName = Self.unquoted(name) }
            rest = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)].trimmingSpaces
        } else if rest.first == "<" {
            throw MailAddressError(text, "a \"<\" with no \">\"")
        }
        var route: [String] = []
        if rest.first == "@" {
            guard let colon = Self.firstUnquoted(":", in: rest) else { throw MailAddressError(text, "a source route with no \":\"") }
            for hop in rest[..<colon].split(separator: ",", omittingEmptySubsequences: false) {
                let hop = hop.trimmingSpaces
                guard hop.first == "@", hop.count > 1 else { throw MailAddressError(text, "a source route hop \"\(hop)\" is not @domain") }
                route.append(String(hop.dropFirst()))
            }
            rest = rest[rest.index(after: colon)...]
        }
        self.displayName = displayName
        self.sourceRoute = route
        if rest.isEmpty {
            guard route.isEmpty else { throw MailAddressError(text, "a source route with no address") }
            localPart = ""
            domain = nil
            return
        }
        let (local, afterLocal) = try Self.localPart(of: rest, in: text)
        localPart = local
        if afterLocal.isEmpty {
            domain = nil
        } else {
            guard afterLocal.first == "@" else { throw MailAddressError(text, "text after the quoted local part") }
            let name = afterLocal.dropFirst()
            guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "@" || $0 == "<" || $0 == ">" || $0 == "\"" }) else {
                throw MailAddressError(text, "the domain \"\(name)\" is empty or has spaces, @, <, > or quotes")
            }
            domain = String(name)
        }
        guard !localPart.isEmpty || domain == nil else { throw MailAddressError(text, "an empty local part") }
    }

    /// The address as `local@domain`, the local part quoted when it needs it; `<>` for null.
    public var description: String {
        if isNull { return "<>" }
        let needsQuotes = localPart.contains { !Self.isAtomText($0) && $0 != "." }
            || localPart.hasPrefix(".") || localPart.hasSuffix(".") || localPart.contains("..")
        let local = needsQuotes
            ? "\"" + localPart.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
            : localPart
        return domain.map { "\(local)@\($0)" } ?? local
    }

    /// The local part (quoted or not) and what follows it.
    private static func localPart(of text: Substring, in whole: String) throws(MailAddressError) -> (String, Substring) {
        if text.first == "\"" {
            var local = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let character = text[index]
                if character == "\"" { return (local, text[text.index(after: index)...]) }
                if character == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { break }
                }
                local.append(text[index])
                index = text.index(after: index)
            }
            throw MailAddressError(whole, "an unterminated quoted local part")
        }
        guard let at = text.lastIndex(of: "@") else {
            guard !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" }) else {
                throw MailAddressError(whole, "spaces or brackets in the local part")
            }
            return (String(text), text[text.endIndex...])
        }
        let local = text[..<at]
        guard !local.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "@" }) else {
            throw MailAddressError(whole, "the local part \"\(local)\" needs quotes")
        }
        return (String(local), text[at...])
    }

    /// The first `character` outside double quotes.
    private static func firstUnquoted(_ character: Character, in text: Substring) -> Substring.Index? {
        var quoted = false
        var escaped = false
        for index in text.indices {
            let current = text[index]
            if escaped { escaped = false; continue }
            if current == "\\" && quoted { escaped = true; continue }
            if current == "\"" { quoted.toggle(); continue }
            if current == character && !quoted { return index }
        }
        return nil
    }

    private static func unquoted(_ text: Substring) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return String(text) }
        return String(text.dropFirst().dropLast()).replacing("\\\"", with: "\"").replacing("\\\\", with: "\\")
    }

    /// RFC 5322 `atext`, with any non-ASCII character allowed (RFC 6532).
    private static func isAtomText(_ character: Character) -> Bool {
        guard character.isASCII else { return true }
        return character.isLetter || character.isNumber || "!#$%&'*+-/=?^_`{|}~".contains(character)
    }
}

/// Why a text is not a mail address.
public struct MailAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    /// What is wrong with it.
    public let reason: String

    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    /// One line naming the text and the problem.
    public var description: String { "\"\(text)\" is not a mail address: \(reason)" }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        var text = self.drop { $0 == " " || $0 == "\t" }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
