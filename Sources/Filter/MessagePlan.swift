public import ScanmilterConfiguration

/// What happens to one message when its recipients may fall under different policies: the
/// decision carried out for the message as delivered, and the recipients taken out of this
/// delivery first (`smfi_delrcpt`) because their own action keeps the message from them.
///
/// How decisions combine (README, "Recipients who disagree"):
/// - a refusal (reject, then tempfail) by any recipient's policy refuses the whole message: one
///   SMTP transaction has one reply, and a refusal loses nothing (the sender is told and keeps it);
/// - otherwise recipients whose action is quarantine or discard are removed from the delivery,
///   the message is quarantined for those whose action is quarantine (one entry, naming only
///   them), and the others receive it under the strictest of their own actions;
/// - when every recipient's action is quarantine or discard, the message is quarantined (for
///   the quarantine recipients) or discarded, as the strictest of them says.
public struct MessagePlan: Sendable {
    /// One recipient's own decision, before combining.
    public struct Recipient: Sendable, Equatable {
        public var address: String
        /// `default` or the override's name.
        public var policy: String
        public var decision: Decision
    }

    /// Every recipient's own decision, in envelope order.
    public let recipients: [Recipient]
    /// What is done to the message as delivered (to everyone when nobody is removed).
    public let decision: Decision
    /// The policy whose decision that is (`default` or an override's name).
    public let decidingPolicy: String
    /// Recipients removed from this delivery before `decision` is carried out.
    public let removed: [String]
    /// The decision for the removed recipients (quarantine or discard); nil when none are removed.
    public let removedDecision: Decision?
    /// The recipients the quarantined copy is for: those whose own action is quarantine (every
    /// recipient when there is no per-recipient list).
    public let quarantineRecipients: [String]
    /// What the pipeline found under each policy's rules, by policy name.
    public let findings: [String: Findings]

    /// Combines `recipients`' decisions; `whole` is the decision when there are none.
    public init(recipients: [Recipient], whole: Decision, findings: [String: Findings] = [:]) {
        self.recipients = recipients
        self.findings = findings
        guard let strictest = Self.strictest(recipients) else {
            decision = whole
            decidingPolicy = RecipientPolicies.defaultName
            removed = []
            removedDecision = nil
            quarantineRecipients = []
            return
        }
        let withheld = recipients.filter { Self.removable.contains($0.decision.action) }
        let staying = recipients.filter { !Self.removable.contains($0.decision.action) }
        quarantineRecipients = recipients.filter { $0.decision.action == .quarantine }.map(\.address)
        if strictest.decision.action.isRefusal || withheld.isEmpty || staying.isEmpty {
            decision = strictest.decision
            decidingPolicy = strictest.policy
            removed = []
            removedDecision = nil
            return
        }
        let delivered = Self.strictest(staying) ?? strictest
        decision = delivered.decision
        decidingPolicy = delivered.policy
        removed = withheld.map(\.address)
        removedDecision = Self.strictest(withheld)?.decision
    }

    /// Actions that can be applied to some recipients alone: the message is simply not delivered to them.
    static let removable: Set<MessageAction> = [.quarantine, .discard]

    /// The first recipient with the strictest action (``MessageAction/strictness``).
    static func strictest(_ recipients: [Recipient]) -> Recipient? {
        var best: Recipient?
        for recipient in recipients where recipient.decision.action.strictness > (best?.decision.action.strictness ?? -1) {
            best = recipient
        }
        return best
    }

    /// The findings behind ``decision``.
    public var decidingFindings: Findings? { findings[decidingPolicy] }

    /// The findings behind the quarantined copy: the policy of its first recipient.
    public var quarantineFindings: Findings? {
        guard let first = quarantineRecipients.first, let policy = recipients.first(where: { $0.address == first })?.policy else {
            return decidingFindings
        }
        return findings[policy]
    }

    /// `a@x=tag(lab) b@y=quarantine(default)`: who got what, for the log line.
    public var summary: String {
        recipients.map { "\($0.address)=\($0.decision.action.rawValue)(\($0.policy))" }.joined(separator: " ")
    }

    /// Whether some recipients are removed from this delivery (their policy quarantines or discards it).
    public var isSplit: Bool { !removed.isEmpty }
}

extension MessageAction {
    /// How strict an action is when recipients disagree; the strictest applies to the message.
    /// reject > tempfail > quarantine > hold > discard > strip > tag > accept:
    /// refusals first (nothing is accepted that a policy refused, and the sender is told; a
    /// permanent one before a temporary one, since a retry meets the same verdict); then the
    /// actions that keep the message back but keep it (quarantine in our store, per entry and
    /// per recipient; hold in Postfix's queue, for the whole message); then discard, which keeps
    /// nothing back and loses the message, so it never wins over a policy that wanted a copy
    /// kept; then the delivering actions by how much of the finding still reaches the
    /// recipient (strip removes it, tag only labels it, accept not even that).
    public var strictness: Int {
        switch self {
        case .accept: 0
        case .tag: 1
        case .strip: 2
        case .discard: 3
        case .hold: 4
        case .quarantine: 5
        case .tempfail: 6
        case .reject: 7
        }
    }

    /// reject or tempfail: the MTA refuses the message.
    var isRefusal: Bool { self == .reject || self == .tempfail }
}
