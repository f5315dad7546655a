extension MIMEPart {
    /// The decoded content of a text part as text in its charset (UTF-8 when none is named or
    /// the charset is unknown here, with invalid bytes replaced), for showing it as plain text.
    public func decodedText() -> String {
        let bytes = decoded()
        return Charsets.decode(bytes, charset: charset ?? "") ?? String(decoding: bytes, as: UTF8.self)
    }
}

extension HeaderField {
    /// The value with RFC 2047 encoded words decoded to Unicode.
    public var decodedValue: String {
        EncodedWords.decode(Array(value.utf8)).text
    }
}

/// Header text as people read it.
public enum HeaderText {
    /// `value` with RFC 2047 encoded words decoded, folding whitespace made single spaces and
    /// the ends trimmed.
    public static func readable(_ value: String) -> String {
        let decoded = EncodedWords.decode(Array(value.utf8)).text
        return decoded.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
    }
}
