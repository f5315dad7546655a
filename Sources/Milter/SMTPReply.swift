/// An SMTP reply a filter asks the MTA to give: code, enhanced status code and 1 to 32 lines
/// (`smfi_setreply` for one line, `smfi_setmlreply` for more).
///
/// Checked when made, because libmilter fails or silently drops a bad reply: the code must be
/// 4xx or 5xx, the enhanced code must start with the same class digit, a line may not hold CR,
/// LF or NUL, a lone `%` is refused (libmilter treats the text as a format string and ignores
/// it; write `%%`), and each line must fit libmilter's 980-byte limit.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit reply code, e.g. `550`.
    public let code: String
    /// The enhanced status code (RFC 3463), e.g. `5.7.1`, if any.
    public let extendedCode: String?
    /// The text lines, at least one and at most ``maximumLines``.
    public let lines: [String]

    /// The most lines libmilter sends (MAXREPLIES in libmilter's smfi.c).
    public static let maximumLines = 32
    /// The longest reply line libmilter accepts, code and enhanced code included (MAXREPLYLEN).
    public static let maximumLineLength = 980

    /// Creates a reply, or throws ``MilterError/invalidReply(reason:)`` saying what is wrong.
    public init(code: String, extendedCode: String? = nil, lines: [String]) throws(MilterError) {
        let codeBytes = Array(code.utf8)
        guard codeBytes.count == 3, codeBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              codeBytes[0] == UInt8(ascii: "4") || codeBytes[0] == UInt8(ascii: "5")
        else {
            throw .invalidReply(reason: "code \"\(code)\" is not a 4xx or 5xx reply code")
        }
        if let extendedCode {
            let parts = extendedCode.split(separator: ".", omittingEmptySubsequences: false)
            let numeric = parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            }
            guard parts.count == 3, numeric, parts[0].utf8.first == codeBytes[0] else {
                throw .invalidReply(
                    reason: "enhanced code \"\(extendedCode)\" is not of the form \(code.prefix(1)).X.Y")
            }
        }
        guard !lines.isEmpty else { throw .invalidReply(reason: "a reply needs at least one line") }
        guard lines.count <= Self.maximumLines else {
            throw .invalidReply(reason: "\(lines.count) lines; libmilter sends at most \(Self.maximumLines)")
        }
        let overhead = 3 + 1 + (extendedCode.map { $0.utf8.count + 1 } ?? 0)
        for (number, line) in lines.enumerated() {
            if line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
                throw .invalidReply(reason: "line \(number + 1) contains CR, LF or NUL")
            }
            if Self.hasLonePercent(line) {
                throw .invalidReply(reason: "line \(number + 1) has a single '%'; libmilter needs '%%'")
            }
            if line.utf8.count + overhead > Self.maximumLineLength {
                throw .invalidReply(
                    reason: "line \(number + 1) is \(line.utf8.count + overhead) bytes with its codes; libmilter allows \(Self.maximumLineLength)")
            }
        }
        self.code = code
        self.extendedCode = extendedCode
        self.lines = lines
    }

    /// Creates a one-line reply.
    public init(code: String, extendedCode: String? = nil, _ text: String) throws(MilterError) {
        try self.init(code: code, extendedCode: extendedCode, lines: [text])
    }

    /// True when a run of `%` has odd length: libmilter would ignore the whole reply.
    private static func hasLonePercent(_ line: String) -> Bool {
        var run = 0
        for byte in line.utf8 {
            if byte == UInt8(ascii: "%") {
                run += 1
            } else {
                if run % 2 == 1 { return true }
                run = 0
            }
        }
        return run % 2 == 1
    }

    /// The reply as the MTA would print its first line, e.g. `550 5.7.1 no`.
    public var description: String {
        ([code] + (extendedCode.map { [$0] } ?? []) + [lines.joined(separator: " | ")]).joined(separator: " ")
    }
}
