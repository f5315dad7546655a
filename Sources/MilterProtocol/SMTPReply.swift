/// An SMTP reply (RFC 5321 section 4.2): a three-digit code, an optional enhanced status code
/// (RFC 3463) and one or more lines of text. The project's one reply type: a filter's reject,
/// a policy's decision, a milter's answer read by the client and a relay's answer all use it,
/// so every reply is checked by the same rules.
///
/// The text is literal: `100% sure` means a percent sign. The milter protocol reads reply text
/// as a format in which `%%` stands for `%` (smfi_setreply(3); Postfix's milter8.c undoes it),
/// so ``escapedLines`` doubles each `%` for libmilter and ``init(milterText:)`` undoes it.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit reply code, e.g. `550`.
    public let code: Int
    /// The enhanced status code (RFC 3463), e.g. `5.7.1`, if any; its class is the code's first digit.
    public let enhancedCode: String?
    /// The text lines, literal, at least one.
    public let lines: [String]

    /// The most lines libmilter sends (MAXREPLIES in libmilter's smfi.c).
    public static let maximumMilterLines = 32
    /// The longest reply line libmilter accepts, codes and `%` escapes included (MAXREPLYLEN).
    public static let maximumLineLength = 980

    /// Creates a reply, or throws ``SMTPReplyError`` saying what is wrong: a code that is not
    /// 2xx to 5xx, an enhanced code of another form or class, no line, a line with CR, LF or
    /// NUL, or a line longer than libmilter's 980 bytes once escaped.
    public init(code: Int, enhancedCode: String? = nil, lines: [String]) throws(SMTPReplyError) {
        guard (200...599).contains(code) else {
            throw SMTPReplyError("code \(code) is not a 2xx to 5xx reply code")
        }
        if let enhancedCode, !Self.isEnhancedCode(enhancedCode, classOf: code) {
            throw SMTPReplyError("enhanced code \"\(enhancedCode)\" is not of the form \(code / 100).X.Y")
        }
        guard !lines.isEmpty else { throw SMTPReplyError("a reply needs at least one line") }
        let overhead = 3 + 1 + (enhancedCode.map { $0.utf8.count + 1 } ?? 0)
        for (number, line) in lines.enumerated() {
            if line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
                throw SMTPReplyError("line \(number + 1) contains CR, LF or NUL")
            }
            let length = Self.escaped(line).utf8.count + overhead
            if length > Self.maximumLineLength {
                throw SMTPReplyError(
                    "line \(number + 1) is \(length) bytes with its codes; libmilter allows \(Self.maximumLineLength)")
            }
        }
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// Creates a one-line reply.
    public init(code: Int, enhancedCode: String? = nil, _ text: String) throws(SMTPReplyError) {
        try self.init(code: code, enhancedCode: enhancedCode, lines: [text])
    }

    /// Creates a one-line reply whose text is cut (ending in `...`) where it would pass
    /// libmilter's line limit: for text filled in with names a sender chose, where a shorter
    /// reply is better than none. Other faults throw as in ``init(code:enhancedCode:lines:)``.
    public init(code: Int, enhancedCode: String? = nil, fitting text: String) throws(SMTPReplyError) {
        let room = Self.maximumLineLength - (3 + 1 + (enhancedCode.map { $0.utf8.count + 1 } ?? 0))
        guard Self.escaped(text).utf8.count > room else {
            try self.init(code: code, enhancedCode: enhancedCode, lines: [text])
            return
        }
        var cut = ""
        var used = 3 // the "..." that ends a cut line
        for character in text {
            let size = Self.escaped(String(character)).utf8.count
            if used + size > room { break }
            cut.append(character)
            used += size
        }
        try self.init(code: code, enhancedCode: enhancedCode, lines: [cut + "..."])
    }

    /// Reads a reply as it travels: lines such as `550-5.7.1 first` … `550 5.7.1 last`, each
    /// with the same code. An enhanced code is taken from the start of each line that has one
    /// of the code's class.
    public init(replyLines: [String]) throws(SMTPReplyError) {
        guard let first = replyLines.first else { throw SMTPReplyError("a reply needs at least one line") }
        let digits = first.utf8.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let code = Int(String(first.prefix(3))) else {
            throw SMTPReplyError("\"\(first.prefix(80))\" does not start with a reply code")
        }
        var enhancedCode: String?
        var texts: [String] = []
        for (number, line) in replyLines.enumerated() {
            guard line.hasPrefix(String(code)) else {
                throw SMTPReplyError("line \(number + 1) does not start with the reply code \(code)")
            }
            var rest = line.dropFirst(3)
            if let separator = rest.first {
                guard separator == " " || separator == "-" else {
                    throw SMTPReplyError("line \(number + 1) has no space or '-' after its code")
                }
                rest = rest.dropFirst()
            }
            let word = rest.prefix { $0 != " " }
            if Self.isEnhancedCode(String(word), classOf: code) {
                if number == 0 { enhancedCode = String(word) }
                rest = rest.dropFirst(word.count).drop { $0 == " " }
            }
            texts.append(String(rest))
        }
        try self.init(code: code, enhancedCode: enhancedCode, lines: texts)
    }

    /// Reads the text of a milter's SMFIR_REPLYCODE packet: reply lines joined by CRLF, with
    /// each `%` escaped as `%%`, which the MTA undoes as Postfix's milter8.c does (`%x` is `x`).
    public init(milterText: String) throws(SMTPReplyError) {
        let lines = milterText.split(separator: "\r\n", omittingEmptySubsequences: false).map { line in
            Self.unescaped(String(line.hasSuffix("\n") ? line.dropLast() : line))
        }
        try self.init(replyLines: lines)
    }

    /// The lines with each `%` doubled, as smfi_setreply and smfi_setmlreply need them.
    public var escapedLines: [String] { lines.map(Self.escaped) }

    /// The reply as it travels on the wire: `550-5.7.1 first` … `550 5.7.1 last`.
    public var replyLines: [String] { Self.wire(code, enhancedCode, lines) }

    /// The text of an SMFIR_REPLYCODE packet: escaped reply lines joined by CRLF.
    public var milterText: String { Self.wire(code, enhancedCode, escapedLines).joined(separator: "\r\n") }

    private static func wire(_ code: Int, _ enhancedCode: String?, _ texts: [String]) -> [String] {
        let codes = enhancedCode.map { "\($0) " } ?? ""
        return texts.enumerated().map { number, text in
            "\(code)\(number == texts.count - 1 ? " " : "-")\(codes)\(text)"
        }
    }

    /// Refuses what a milter cannot send: a code other than 4xx or 5xx (smfi_setreply takes only
    /// refusals) and more than ``maximumMilterLines`` lines.
    public func checkSendableByMilter() throws(SMTPReplyError) {
        guard (400...599).contains(code) else {
            throw SMTPReplyError("code \(code) is not a 4xx or 5xx reply code; a milter can only refuse")
        }
        guard lines.count <= Self.maximumMilterLines else {
            throw SMTPReplyError("\(lines.count) lines; libmilter sends at most \(Self.maximumMilterLines)")
        }
    }

    /// 2xx: the command succeeded.
    public var isPositive: Bool { (200..<300).contains(code) }
    /// 4xx: a temporary failure, the sender tries again.
    public var isTemporary: Bool { (400..<500).contains(code) }
    /// 5xx: a permanent failure.
    public var isPermanent: Bool { (500..<600).contains(code) }

    /// The reply as one line for logs: `550 5.7.1 first / second`.
    public var description: String {
        ([String(code)] + (enhancedCode.map { [$0] } ?? []) + [lines.joined(separator: " / ")]).joined(separator: " ")
    }

    /// `%` doubled.
    static func escaped(_ line: String) -> String {
        guard line.contains("%") else { return line }
        var out = ""
        for character in line {
            if character == "%" { out += "%%" } else { out.append(character) }
        }
        return out
    }

    /// `%%` read as `%`, and `%x` as `x`, as the MTA reads a milter's reply.
    static func unescaped(_ line: String) -> String {
        guard line.contains("%") else { return line }
        var out = ""
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if character == "%" {
                if let next = iterator.next() { out.append(next) }
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// `X.Y.Z` with X the class digit of `code`, Y and Z one to three digits (RFC 3463 section 2).
    static func isEnhancedCode(_ text: String, classOf code: Int) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let numeric = parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        return parts.count == 3 && numeric && parts[0] == "\(code / 100)"
    }
}

/// Why an SMTP reply was refused, in one sentence.
public struct SMTPReplyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `line 2 contains CR, LF or NUL`.
    public let reason: String

    /// Creates the error.
    public init(_ reason: String) { self.reason = reason }

    /// `invalid SMTP reply: ` and the reason.
    public var description: String { "invalid SMTP reply: \(reason)" }
}
