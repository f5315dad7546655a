public import MilterProtocol

/// An SMTP reply template: code, enhanced status code and text with `%v` (virus names),
/// `%r` (rule names) and `%i` (queue id) filled in per message, and `%%` for a percent sign.
///
/// Not a reply itself (the text has placeholders): ``validate()`` checks it with the rules of
/// the one reply type, ``SMTPReply``, so a template libmilter could not send is refused when the
/// configuration is loaded, not dropped when a message needs it.
public struct ReplyTemplate: Sendable, Equatable, CustomStringConvertible {
    /// The three-digit SMTP code (4xx or 5xx).
    public var code: Int
    /// The RFC 3463 enhanced status code, e.g. "5.7.1"; its class matches `code`.
    public var enhancedCode: String
    /// The text, before substitution.
    public var text: String

    /// Creates a template; ``validate()`` says whether it can be sent.
    public init(code: Int, enhancedCode: String, text: String) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
    }

    /// Splits `550 5.7.1 text` into its fields; nil when it does not start with a code and an
    /// enhanced code. ``validate()`` checks the values.
    public init?(parsing line: String) {
        let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2, fields[0].utf8.count == 3, let code = Int(fields[0]), fields[1].contains(".") else {
            return nil
        }
        self.init(code: code, enhancedCode: String(fields[1]), text: fields.count == 3 ? String(fields[2]) : "")
    }

    /// Throws the reason when the template, filled in, is not a reply a milter can send (a code
    /// other than 4xx or 5xx, an enhanced code of another class, a line too long for libmilter).
    public func validate() throws(SMTPReplyError) {
        try SMTPReply(code: code, enhancedCode: enhancedCode, lines: [render()]).checkSendableByMilter()
    }

    /// The text with placeholders filled in, literal: `%%` becomes `%` (escaping it again for
    /// libmilter is ``SMTPReply``'s business).
    public func render(viruses: [String] = [], rules: [String] = [], queueID: String = "") -> String {
        MessageTemplate(text).render(MessageTemplate.Values(viruses: viruses, rules: rules, queueID: queueID))
    }

    /// `550 5.7.1 text`, as written in the configuration.
    public var description: String { "\(code) \(enhancedCode) \(text)" }
}
