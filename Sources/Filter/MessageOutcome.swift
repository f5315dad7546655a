import ScanmilterConfiguration
import Logging
import MIME
import Scanning

/// The decision for one message with what led to it, and the one summary log line about it.
struct MessageOutcome {
    /// What is done to the message as delivered (``MessagePlan/decision``).
    var decision: Decision
    /// Every recipient's decision, and the recipients removed from this delivery.
    var plan: MessagePlan
    /// The pipeline's result; nil when the message could not even be read back (storage failure).
    var result: Pipeline.Result?
    /// The message bytes the pipeline saw (for quarantine and strip).
    var raw: MessageBytes?
    var started: ContinuousClock.Instant

    /// Runs the pipeline on the buffered message. A message that could not be stored or read
    /// back is unscannable: the unscannable action (tempfail by default) applies, never accept.
    static func evaluate(
        _ message: MessageState, queueID: String, pipeline: Pipeline, logger: Logger, enterScanStage: (_ scans: Int) -> Bool = { _ in true }
    ) -> MessageOutcome {
        func unscannable(_ detail: String) -> MessageOutcome {
            logger.error("message could not be buffered", metadata: ["error": "\(detail)"])
            return Self.unscannable(message, detail, queueID: queueID, policies: pipeline.policies)
        }
        if let failure = message.storageFailure { return unscannable(failure) }
        let bytes: MessageBytes
        switch message.buffer.storage {
        case .memory(let memory):
            bytes = MessageBytes(memory)
        case .file(let descriptor, _):
            do {
                bytes = try MessageBytes(mapping: descriptor)
            } catch {
                return unscannable("\(error)")
            }
        }
        let result = pipeline.evaluate(
            bytes, truncated: message.buffer.isTruncated, queueID: queueID, sender: message.sender, recipients: message.recipients,
            enterScanStage: enterScanStage)
        return MessageOutcome(decision: result.decision, plan: result.plan, result: result, raw: bytes, started: message.started)
    }

    /// The outcome for a message that could not be scanned at all: the unscannable action.
    static func unscannable(_ message: MessageState, _ detail: String, queueID: String, policies: RecipientPolicies) -> MessageOutcome {
        let findings = Findings(scan: .unscannable(UnscannableReason(.engineError, detail)))
        let plan = policies.plan(sender: message.sender, recipients: message.recipients, queueID: queueID) { _ in findings }
        return MessageOutcome(decision: plan.decision, plan: plan, result: nil, raw: nil, started: message.started)
    }

    /// One line per message: queue id, sender, recipients, size, verdict, decision, names, stage times.
    func logSummary(message: MessageState, response: MilterResponseSummary, logger: Logger) {
        var metadata: Logger.Metadata = [
            "mail.from": "\(message.sender)",
            "mail.rcpt_count": "\(message.recipients.count)",
            "mail.size": "\(message.receivedBytes)",
            "scan.verdict": "\(decision.verdictName)",
            "scan.action": "\(response.action)",
            "time.total_ms": "\(Self.milliseconds(since: started))",
        ]
        if message.buffer.isTruncated { metadata["mail.truncated"] = "true" }
        switch decision.verdict {
        case .infected(let names): metadata["scan.viruses"] = "\(names.joined(separator: ","))"
        case .banned(let rules): metadata["scan.rules"] = "\(rules.joined(separator: ","))"
        case .unscanned(let reason): metadata["scan.reason"] = "\(reason)"
        case .clean: break
        }
        if !decision.notes.isEmpty { metadata["scan.notes"] = "\(decision.notes.joined(separator: "; "))" }
        if let summary = result?.findings.harmlessMismatchSummary, !summary.isEmpty {
            // Recorded, not acted on: the administrator can see what the type rules let through.
            metadata["scan.harmless_mismatches"] = "\(summary)"
        }
        if let opened = result?.findings.openedArchives, !opened.isEmpty {
            metadata["scan.opened_archives"] = "\(opened.map(\.summary).joined(separator: "; "))"
        }
        if plan.recipients.contains(where: { $0.policy != RecipientPolicies.defaultName }) || plan.isSplit {
            // Who got what when overrides apply: `a@x=tag(lab) b@y=reject(default)`.
            metadata["mail.recipients"] = "\(plan.summary)"
        }
        if plan.isSplit { metadata["mail.removed_rcpts"] = "\(plan.removed.joined(separator: ","))" }
        if let reply = response.reply { metadata["smtp.reply"] = "\(reply)" }
        if let result {
            metadata["mail.parts"] = "\(result.parsed.leaves.count)"
            metadata["time.parse_ms"] = "\(Self.rounded(result.timings.parse))"
            metadata["time.types_ms"] = "\(Self.rounded(result.timings.types))"
            metadata["time.scan_ms"] = "\(Self.rounded(result.timings.scan))"
        }
        logger.info("message done", metadata: metadata)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return rounded(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }

    static func rounded(_ value: Double) -> Double {
        (value * 10).rounded() / 10
    }
}

/// What was answered, for the log.
struct MilterResponseSummary {
    var action: String
    var reply: String?
    /// The quarantine entry made for the message (or for the recipients removed from it).
    var quarantineID: String?
}
