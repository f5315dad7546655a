public import ScanmilterConfiguration
public import MilterProtocol

/// The one decision the policy takes for a message; ``DecisionExecutor`` carries it out.
public struct Decision: Sendable, Equatable {
    /// What the message is, as the status header and the log say it.
    public enum Verdict: Sendable, Equatable {
        case clean
        case infected([String])
        case banned([String])
        /// Not (completely) scanned; the reason is short: "size", "encrypted", "engine: ...".
        case unscanned(String)
    }

    /// What the message is.
    public var verdict: Verdict
    /// What happens to it.
    public var action: MessageAction
    /// The SMTP reply for `reject` and `tempfail`; nil otherwise, or when the configured one
    /// could not be filled in (a note says why, and DecisionExecutor logs it).
    public var reply: SMTPReply?
    /// MIME paths of the parts `strip` replaces with a notice.
    public var stripParts: [String]
    /// Short notes for the log, e.g. "strip-fallback: no part to strip", "signatures-stale".
    public var notes: [String]

    public init(verdict: Verdict, action: MessageAction, reply: SMTPReply? = nil, stripParts: [String] = [], notes: [String] = []) {
        self.verdict = verdict
        self.action = action
        self.reply = reply
        self.stripParts = stripParts
        self.notes = notes
    }

    /// The `X-Virus-Status` value: `Clean`, `Infected (name, ...)`, `Banned (rule, ...)`, `Unscanned (reason)`.
    public var statusText: String {
        switch verdict {
        case .clean: "Clean"
        case .infected(let names): "Infected (\(HeaderText.sanitized(names.joined(separator: ", "))))"
        case .banned(let rules): "Banned (\(HeaderText.sanitized(rules.joined(separator: ", "))))"
        case .unscanned(let reason): "Unscanned (\(HeaderText.sanitized(reason)))"
        }
    }

    /// The verdict as one word for logs and metrics: clean, infected, banned, unscanned.
    public var verdictName: String {
        switch verdict {
        case .clean: "clean"
        case .infected: "infected"
        case .banned: "banned"
        case .unscanned: "unscanned"
        }
    }
}

/// Text that goes into a header or an SMTP reply: no line breaks, no control characters,
/// bounded length — a virus name or file name chosen by an attacker must not inject headers.
enum HeaderText {
    static func sanitized(_ text: String, limit: Int = 400) -> String {
        var out = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if out.count > limit { out = String(out.prefix(limit)) + "..." }
        return out
    }
}
