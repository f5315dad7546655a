extension SMTPReply {
    /// Creates a reply from pymilter's spelling, `setreply(rcode, xcode, msg, *ml)`: the code as
    /// text, e.g. `"550"`; the text is literal, as in ``init(code:enhancedCode:lines:)``.
    public init(code: String, extendedCode: String? = nil, lines: [String]) throws(SMTPReplyError) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = Int(code) else {
            throw SMTPReplyError("code \"\(code)\" is not a three-digit reply code")
        }
        try self.init(code: number, enhancedCode: extendedCode, lines: lines)
    }

    /// Creates a one-line reply from pymilter's spelling (see ``init(code:extendedCode:lines:)``).
    public init(code: String, extendedCode: String? = nil, _ text: String) throws(SMTPReplyError) {
        try self.init(code: code, extendedCode: extendedCode, lines: [text])
    }
}
