/// A parsed Content-Type: lowercased type and subtype and the parameters in header order.
public struct ContentType: Sendable, Hashable, CustomStringConvertible {
    /// The top-level media type, lowercased (`text`, `multipart`, `application`...).
    public let type: String
    /// The subtype, lowercased (`plain`, `mixed`, `pdf`...).
    public let subtype: String
    /// Parameters in the order written, names lowercased, values decoded (RFC 2231 joined).
    public let parameters: [MIMEParameter]

    /// A content type from its parts; `type` and `subtype` are lowercased here.
    public init(type: String, subtype: String, parameters: [MIMEParameter] = []) {
        self.type = Self.asciiLowercased(type)
        self.subtype = Self.asciiLowercased(subtype)
        self.parameters = parameters
    }

    /// Lowercases only when needed: most type names already are, and this runs for every part.
    private static func asciiLowercased(_ text: String) -> String {
        text.utf8.contains { (0x41...0x5A).contains($0) } || !text.utf8.allSatisfy({ $0 < 0x80 }) ? text.lowercased() : text
    }

    /// `type/subtype`, lowercased.
    public var mimeType: String { "\(type)/\(subtype)" }

    /// Whether this is any `multipart/*`.
    public var isMultipart: Bool { type == "multipart" }

    /// Whether this is an enclosed message the parser descends into (`message/rfc822`, `message/global`).
    public var isEnclosedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    /// The first value of parameter `name` (case-insensitive).
    public func parameter(_ name: String) -> String? {
        let lowered = name.lowercased()
        return parameters.first { $0.name == lowered }?.value
    }

    /// Every value of parameter `name` in header order, duplicates included.
    public func parameters(named name: String) -> [String] {
        let lowered = name.lowercased()
        return parameters.filter { $0.name == lowered }.map(\.value)
    }

    /// `type/subtype; name="value"...`.
    public var description: String {
        parameters.reduce(mimeType) { $0 + "; \($1.name)=\"\($1.value)\"" }
    }

    /// RFC 2045 §5.2: no (or no valid) Content-Type means text/plain; charset=us-ascii.
    public static let textPlain = ContentType(type: "text", subtype: "plain")
    /// RFC 2046 §5.1.5: the default inside multipart/digest.
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")
}

/// One `name=value` parameter of a structured header.
public struct MIMEParameter: Sendable, Hashable {
    /// The name, lowercased, without RFC 2231 `*` or section numbers.
    public let name: String
    /// The value: unquoted, RFC 2231 sections joined and decoded to Unicode.
    public let value: String
    /// Whether the value came from RFC 2231 syntax (`name*=` or `name*0=`).
    public let isExtended: Bool

    /// A parameter with the given name (lowercased here) and value.
    public init(name: String, value: String, isExtended: Bool = false) {
        self.name = name.lowercased()
        self.value = value
        self.isExtended = isExtended
    }
}
