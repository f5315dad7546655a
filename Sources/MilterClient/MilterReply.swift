/// An SMTP reply a milter set with `smfi_setreply` or `smfi_setmlreply` (an SMFIR_REPLYCODE packet).
///
/// A multi-line reply arrives as one string whose lines are joined by CRLF, every line but the
/// last written `CODE-XCODE text` and the last `CODE XCODE text` (RFC 5321 section 4.2.1).
public struct MilterReply: Sendable, Hashable, CustomStringConvertible {
    /// The text exactly as the milter sent it, without the terminating NUL.
    public let text: String

    /// Wraps the reply text of an SMFIR_REPLYCODE packet.
    public init(text: String) { self.text = text }

    /// The lines as sent, each still starting with its reply code.
    public var lines: [String] {
        text.split(separator: "\r\n", omittingEmptySubsequences: false).map { line in
            String(line.hasSuffix("\n") ? line.dropLast() : line)
        }
    }

    /// The three-digit SMTP reply code of the first line, or nil when it does not start with one.
    public var code: Int? {
        let digits = text.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// The enhanced status code (RFC 3463, like `5.7.1`) of the first line, when it has one.
    public var enhancedCode: String? {
        guard let first = lines.first else { return nil }
        let candidate = Self.splitEnhancedCode(Self.dropReplyCode(first)).code
        return candidate
    }

    /// The human text of each line: reply code, separator and enhanced code removed.
    public var messages: [String] {
        lines.map { Self.splitEnhancedCode(Self.dropReplyCode($0)).rest }
    }

    /// True for a 4xx reply (temporary failure).
    public var isTemporary: Bool { (code ?? 0) / 100 == 4 }

    /// True for a 5xx reply (permanent failure).
    public var isPermanent: Bool { (code ?? 0) / 100 == 5 }

    public var description: String { text }

    /// Drops `CODE-` or `CODE ` from the start of a line.
    private static func dropReplyCode(_ line: String) -> Substring {
        let head = line.prefix(3)
        guard head.count == 3, head.allSatisfy({ $0.isASCII && $0.isNumber }) else { return Substring(line) }
        var rest = line.dropFirst(3)
        if let separator = rest.first, separator == "-" || separator == " " {
            rest = rest.dropFirst()
        }
        return rest
    }

    /// Splits `X.Y.Z rest` into the enhanced code and the rest, when the line starts with one.
    private static func splitEnhancedCode(_ line: Substring) -> (code: String?, rest: String) {
        let word = line.prefix { $0 != " " }
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        let isEnhanced = parts.count == 3
            && ["2", "4", "5"].contains(parts[0])
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard isEnhanced else { return (nil, String(line)) }
        return (String(word), String(line.dropFirst(word.count).drop { $0 == " " }))
    }
}
