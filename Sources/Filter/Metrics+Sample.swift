/// One message as the metrics see it, taken at the end of the message.
public struct MessageSample: Sendable, Equatable {
    /// clean, infected, banned, unscanned.
    public var verdict: String
    /// The action taken (accept, tag, reject, ...).
    public var action: String
    public var bytesScanned: Int
    public var bytesReceived: Int
    /// Cut at `max_message_size`.
    public var truncated: Bool
    /// The scanner's reason code when it could not scan completely; "storage" when the message
    /// could not even be buffered.
    public var unscannableReason: String?
    /// Stage name (parse, types, scan, total) → seconds.
    public var stageSeconds: [String: Double]
    /// The kind (`type-mismatch`, `content-type-mismatch`) of each harmless mismatch recorded.
    public var harmlessMismatchKinds: [String]
    /// Each `[[override]]` that applied to a recipient, by name, with the action it chose.
    public var overrideActions: [String: String]

    public init(
        verdict: String, action: String, bytesScanned: Int, bytesReceived: Int, truncated: Bool,
        unscannableReason: String?, stageSeconds: [String: Double], harmlessMismatchKinds: [String] = [],
        overrideActions: [String: String] = [:]
    ) {
        self.overrideActions = overrideActions
        self.harmlessMismatchKinds = harmlessMismatchKinds
        self.verdict = verdict
        self.action = action
        self.bytesScanned = bytesScanned
        self.bytesReceived = bytesReceived
        self.truncated = truncated
        self.unscannableReason = unscannableReason
        self.stageSeconds = stageSeconds
    }
}

extension MessageSample {
    /// The sample for a message the pipeline (or the buffer) has decided on. `total` runs from
    /// MAIL FROM to the decision, as the summary log line's `time.total_ms` does.
    init(outcome: MessageOutcome, message: MessageState) {
        var stages = ["total": MessageOutcome.milliseconds(since: outcome.started) / 1000]
        var reason: String?
        if let result = outcome.result {
            stages["parse"] = result.timings.parse / 1000
            stages["types"] = result.timings.types / 1000
            stages["scan"] = result.timings.scan / 1000
            if case .unscannable(let unscannable) = result.findings.scan { reason = unscannable.code.name }
        } else {
            reason = "storage"
        }
        self.init(
            verdict: outcome.decision.verdictName, action: outcome.decision.action.rawValue,
            bytesScanned: outcome.raw?.count ?? 0, bytesReceived: message.receivedBytes,
            truncated: message.buffer.isTruncated, unscannableReason: reason, stageSeconds: stages,
            harmlessMismatchKinds: outcome.result?.findings.harmlessMismatches.map { String($0.rule.prefix { $0 != ":" }) } ?? [],
            overrideActions: outcome.plan.recipients.reduce(into: [:]) { actions, recipient in
                guard recipient.policy != RecipientPolicies.defaultName, actions[recipient.policy] == nil else { return }
                actions[recipient.policy] = recipient.decision.action.rawValue
            })
    }
}
