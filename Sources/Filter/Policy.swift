public import ScanmilterConfiguration
import MilterProtocol
import Scanning

/// The one place that decides what happens to a message, from what the pipeline found and
/// what the administrator configured. Pure: no I/O, no libmilter, testable alone.
///
/// Precedence: infected, then banned, then oversize (truncated), then a fixed limit exceeded
/// (`limit_exceeded`), then unscannable (failures that may pass on retry), then clean
/// (with the stale action when the signatures are old). A message cut at the size limit is
/// never labelled clean.
public struct Policy: Sendable {
    public var actions: ActionSettings
    public var replies: ReplySettings
    /// What happens to a poison message (it killed scan workers twice): `quarantine` where a
    /// store is open, so the administrator gets the sample; `reject` otherwise. Never a
    /// temp-fail, which would only bring it back.
    public var scannerCrash: MessageAction

    public init(actions: ActionSettings, replies: ReplySettings, scannerCrash: MessageAction = .reject) {
        self.actions = actions
        self.replies = replies
        self.scannerCrash = scannerCrash
    }

    /// The decision for one message; `queueID` fills `%i` in reply templates.
    public func decide(_ findings: Findings, queueID: String = "") -> Decision {
        if case .infected(let names) = findings.scan {
            var decision = Decision(verdict: .infected(names), action: actions.infected, stripParts: findings.infectedParts)
            finish(&decision, template: replies.infected, viruses: names, rules: [], queueID: queueID, truncated: findings.truncated)
            return decision
        }
        if !findings.banned.isEmpty {
            var rules: [String] = []
            for hit in findings.banned where !rules.contains(hit.rule) { rules.append(hit.rule) }
            var parts: [String] = []
            for hit in findings.banned where !parts.contains(hit.partPath) { parts.append(hit.partPath) }
            var decision = Decision(verdict: .banned(rules), action: actions.banned, stripParts: parts)
            finish(&decision, template: replies.banned, viruses: [], rules: rules, queueID: queueID, truncated: findings.truncated)
            return decision
        }
        if findings.truncated {
            // Whatever the prefix's scan said (clean, or a limit hit because of the cut), the rest
            // was never seen: this is the oversize case.
            var decision = Decision(verdict: .unscanned("size"), action: actions.oversize)
            finish(&decision, template: replies.oversize, viruses: [], rules: ["oversize"], queueID: queueID, truncated: true)
            return decision
        }
        if case .unscannable(let reason) = findings.scan, reason.code == .scannerCrash {
            var decision = Decision(verdict: .unscanned(reason.code.name), action: scannerCrash, notes: [reason.detail])
            finish(&decision, template: replies.limitExceeded, viruses: [], rules: ["scanner crash"], queueID: queueID)
            return decision
        }
        if case .unscannable(let reason) = findings.scan, reason.code == .limitExceeded {
            // A fixed limit (nesting, part count, header size, archive depth): the same message
            // fails the same way on every retry, so a 4xx would only delay the bounce for days.
            var decision = Decision(verdict: .unscanned(reason.code.name), action: actions.limitExceeded, notes: [reason.detail])
            finish(&decision, template: replies.limitExceeded, viruses: [], rules: [reason.detail], queueID: queueID)
            return decision
        }
        if case .unscannable(let reason) = findings.scan {
            var decision = Decision(verdict: .unscanned(reason.code.name), action: actions.unscannable, notes: [reason.detail])
            finish(&decision, template: replies.unscannable, viruses: [], rules: [reason.code.name], queueID: queueID)
            return decision
        }
        if findings.signaturesStale {
            var decision = Decision(verdict: .clean, action: actions.stale, notes: ["signatures-stale"])
            finish(&decision, template: replies.stale, viruses: [], rules: ["signatures-stale"], queueID: queueID)
            return decision
        }
        return Decision(verdict: .clean, action: actions.clean)
    }

    /// Fills the reply for refusing actions, and falls back where an action cannot apply.
    private func finish(
        _ decision: inout Decision, template: ReplyTemplate, viruses: [String], rules: [String], queueID: String,
        truncated: Bool = false
    ) {
        if truncated && (decision.action == .quarantine || decision.action == .strip) {
            // Only a prefix of the message is here: a quarantined copy or a rewritten body would
            // silently lose the rest. Refuse instead, so the sender still has the whole message.
            decision.notes.append("\(decision.action.rawValue)-fallback: message truncated at max_message_size")
            decision.action = .reject
        }
        if decision.action == .strip && decision.stripParts.isEmpty {
            // Nothing identifiable to cut out (e.g. only the whole-message scan matched): refusing
            // is the only safe choice left; delivering would pass what the administrator wanted stripped.
            decision.action = .reject
            decision.notes.append("strip-fallback: no single part to strip")
        }
        guard decision.action == .reject || decision.action == .tempfail else {
            decision.reply = nil
            return
        }
        // A template of the other class (a 4xx for reject, a 5xx for tempfail) cannot say what
        // happens: use the action's generic code with the configured text.
        let refusing = decision.action == .reject
        let fits = refusing ? template.code >= 500 : template.code < 500
        let text = HeaderText.sanitized(template.render(viruses: viruses, rules: rules, queueID: queueID))
        do {
            // Names fill the text: cut it to libmilter's line limit rather than lose the reply.
            decision.reply = try SMTPReply(
                code: fits ? template.code : (refusing ? 550 : 451),
                enhancedCode: fits ? template.enhancedCode : (refusing ? "5.7.1" : "4.7.1"), fitting: text)
        } catch {
            decision.reply = nil
            decision.notes.append("reply-unsendable: \(error.reason)")
        }
    }
}
