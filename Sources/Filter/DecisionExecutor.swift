import ScanmilterConfiguration
import Logging
import Milter
import MilterProtocol
import MIME

/// The one place that acts: carries a ``Decision`` out through the milter context (headers,
/// quarantine, body replacement, the reply), and turns any failure to act into a temporary
/// failure, so a message is never delivered other than as decided.
///
/// Not to be confused with ``MessageAction`` (what the policy chose), `ActionSettings` (the
/// `[actions]` section), `MilterAction` (one smfi_* call) or `ActionFlags` (what a milter
/// connection may do).
struct DecisionExecutor {
    /// The `[headers]` section: which status headers to add, under which names.
    let headers: HeaderSettings
    /// The value of the `X-Virus-Scanned` header: product, signatures, host.
    let scannedHeaderValue: String
    /// The host a strip notice names.
    let hostname: String
    /// `[reply] unscannable`, whose codes a failure to act reuses when they are temporary.
    let unscannableReply: ReplyTemplate
    /// Where quarantined and held messages are recorded; nil without a store.
    let quarantine: (any QuarantineSink)?
    /// The signature set a quarantine entry names.
    let databaseDescription: String
    let logger: Logger

    func apply(_ outcome: MessageOutcome, message: MessageState, session: SessionFacts, context: any MilterContext) -> MilterResponseSummaryAndResponse {
        do {
            return try perform(outcome, message: message, session: session, context: context)
        } catch {
            logger.error("action failed; message temp-failed", metadata: ["scan.action": "\(outcome.decision.action.rawValue)", "error": "\(error)"])
            let template = unscannableReply
            let fits = template.code < 500
            let reply = Result { () throws(SMTPReplyError) in
                try SMTPReply(code: fits ? template.code : 451, enhancedCode: fits ? template.enhancedCode : "4.7.1",
                              "Message could not be processed, please try again later")
            }
            return respond(.tempfail, reply: reply, action: "tempfail")
        }
    }

    private func perform(_ outcome: MessageOutcome, message: MessageState, session: SessionFacts, context: any MilterContext) throws -> MilterResponseSummaryAndResponse {
        var acted = try performWhole(outcome, message: message, session: session, context: context)
        guard !outcome.plan.removed.isEmpty else { return acted }
        // Recipients whose own policy quarantines or discards the message: out of this delivery,
        // and (quarantine) into one entry naming only them. Done after the message's own action
        // succeeded, so a failure of either temp-fails the whole message and nothing is lost.
        var note = "removed \(outcome.plan.removed.count)"
        if let removedDecision = outcome.plan.removedDecision, !outcome.plan.quarantineRecipients.isEmpty {
            guard let sink = quarantine, let raw = outcome.raw else {
                throw Failure(message: "quarantine action for some recipients but no quarantine store is available")
            }
            let id = try sink.store(quarantined(
                raw, decision: removedDecision, findings: outcome.plan.quarantineFindings, recipients: outcome.plan.quarantineRecipients,
                plan: outcome.plan, message: message, session: session, context: context))
            logger.info("message quarantined for some recipients", metadata: [
                "quarantine.id": "\(id)", "mail.quarantined_rcpts": "\(outcome.plan.quarantineRecipients.joined(separator: ","))",
            ])
            acted.summary.quarantineID = id
            note += "; quarantine id=\(id)"
        }
        for address in outcome.plan.removed {
            try context.deleteRecipient(address)
        }
        acted.summary.action += " (\(note))"
        return acted
    }

    /// Carries out the decision for the message as delivered.
    private func performWhole(_ outcome: MessageOutcome, message: MessageState, session: SessionFacts, context: any MilterContext) throws -> MilterResponseSummaryAndResponse {
        let decision = outcome.decision
        switch decision.action {
        case .reject, .tempfail:
            // Policy leaves the reply out only when the configured one could not be filled in,
            // and says why in a note.
            let reply: Result<SMTPReply, SMTPReplyError> = decision.reply.map { .success($0) }
                ?? .failure(SMTPReplyError(decision.notes.last { $0.hasPrefix("reply-unsendable") } ?? "no reply was decided"))
            return respond(decision.action == .reject ? .reject : .tempfail, reply: reply, action: decision.action.rawValue)
        case .discard:
            return MilterResponseSummaryAndResponse(response: .discard, summary: MilterResponseSummary(action: "discard"))
        case .quarantine:
            guard let sink = quarantine, let raw = outcome.raw else {
                throw Failure(message: "quarantine action but no quarantine store is available")
            }
            let recipients = outcome.plan.quarantineRecipients.isEmpty ? message.recipients : outcome.plan.quarantineRecipients
            let id = try sink.store(quarantined(
                raw, decision: decision, findings: outcome.result?.findings, recipients: recipients, plan: outcome.plan,
                message: message, session: session, context: context))
            logger.info("message quarantined", metadata: ["quarantine.id": "\(id)"])
            // Accepted from the client and not delivered: the copy in the store is the message now.
            return MilterResponseSummaryAndResponse(
                response: .discard, summary: MilterResponseSummary(action: "quarantine id=\(id)", quarantineID: id))
        case .accept:
            try removeForgedHeaders(message, context: context)
            return MilterResponseSummaryAndResponse(response: .continue, summary: MilterResponseSummary(action: "accept"))
        case .tag, .hold, .strip:
            try removeForgedHeaders(message, context: context)
            try addStatusHeaders(decision, findings: outcome.result?.findings, context: context)
            var action = decision.action.rawValue
            if decision.action == .strip {
                action = try strip(outcome, context: context)
            }
            var heldID: String?
            if decision.action == .hold {
                try context.quarantine(reason: "scanmilter: \(decision.statusText)")
                heldID = recordHold(outcome, message: message, session: session, context: context)
            }
            return MilterResponseSummaryAndResponse(response: .continue, summary: MilterResponseSummary(action: action, quarantineID: heldID))
        }
    }

    /// The entry for `raw`: what the decision names, then each archive a password from the
    /// message opened (so the reviewer knows its members were seen).
    /// When recipients' policies disagreed, the names end with who got what (`a@x=tag(lab) ...`),
    /// so the reviewer sees that the others received the message.
    private func quarantined(
        _ raw: MessageBytes, decision: Decision, findings: Findings?, recipients: [String]? = nil, plan: MessagePlan? = nil,
        message: MessageState, session: SessionFacts, context: any MilterContext
    ) -> QuarantinedMessage {
        let kept = recipients ?? message.recipients
        var parameters: [[String]] = []
        for recipient in kept {
            let index = message.recipients.firstIndex(of: recipient)
            parameters.append(index.map { message.recipientParameters.indices.contains($0) ? message.recipientParameters[$0] : [] } ?? [])
        }
        var names = Self.names(decision) + (findings?.openedArchives.map(\.summary) ?? [])
        if let plan, Set(plan.recipients.map(\.decision.action)).count > 1 {
            names.append("recipients: \(plan.summary)")
        }
        return QuarantinedMessage(
            raw: raw, queueID: context.macro("i") ?? "", clientAddress: session.clientAddress, helo: session.helo,
            sender: message.sender, senderParameters: message.senderParameters, recipients: kept,
            recipientParameters: parameters, subject: message.subject, verdict: decision.statusText,
            names: names, action: decision.action.rawValue, databaseVersion: databaseDescription)
    }

    /// Lists a held message in the quarantine index too, so `scanmilterctl quarantine list` shows
    /// it. The message itself is safe in Postfix's hold queue, so a failure here is only logged.
    private func recordHold(_ outcome: MessageOutcome, message: MessageState, session: SessionFacts, context: any MilterContext) -> String? {
        guard let sink = quarantine, let raw = outcome.raw else { return nil }
        do {
            let id = try sink.recordHold(quarantined(
                raw, decision: outcome.decision, findings: outcome.result?.findings,
                recipients: message.recipients.filter { !outcome.plan.removed.contains($0) }, plan: outcome.plan,
                message: message, session: session, context: context))
            logger.info("message held", metadata: ["quarantine.id": "\(id)"])
            return id
        } catch {
            logger.warning("held message not listed in the quarantine index", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Deletes every copy of our status headers that came with the message, last first so the
    /// indices of the others stay valid: a sender must not be able to forge a verdict.
    private func removeForgedHeaders(_ message: MessageState, context: any MilterContext) throws {
        for (name, count) in message.statusHeaderCounts {
            for index in stride(from: count, through: 1, by: -1) {
                try context.deleteHeader(name, index: index)
            }
        }
    }

    /// The header that lists harmless type mismatches (a PNG named `.jpg`), beside the status
    /// header and only with it: the status stays exactly `Clean` for filters that match on it.
    static let mismatchHeaderName = "X-Virus-Type-Mismatch"

    private func addStatusHeaders(_ decision: Decision, findings: Findings?, context: any MilterContext) throws {
        if headers.addScanned {
            try context.addHeader(headers.scannedName, value: Self.headerValue(HeaderText.sanitized(scannedHeaderValue), context))
        }
        if headers.addStatus {
            try context.addHeader(headers.statusName, value: Self.headerValue(decision.statusText, context))
            if let summary = findings?.harmlessMismatchSummary, !summary.isEmpty {
                try context.addHeader(Self.mismatchHeaderName, value: Self.headerValue(HeaderText.sanitized(summary + "; harmless"), context))
            }
        }
    }

    /// With the leading-space option negotiated the MTA writes values exactly as given, so the
    /// space after the colon is ours to send (RFC 5322 section 2.2 does not require it, readers expect it).
    static func headerValue(_ value: String, _ context: any MilterContext) -> String {
        context.negotiated.steps.contains(.headerLeadingSpace) ? " " + value : value
    }

    private func strip(_ outcome: MessageOutcome, context: any MilterContext) throws -> String {
        guard let parsed = outcome.result?.parsed,
              let rewrite = StripRewriter.rewrite(parsed, paths: outcome.decision.stripParts,
                                                  notice: StripRewriter.notice(for: outcome.decision, hostname: hostname))
        else { throw Failure(message: "strip: the parts to remove could not be found") }
        if rewrite.replaceTopLevelContentHeaders {
            try context.changeHeader("Content-Type", index: 1, value: Self.headerValue("text/plain; charset=utf-8", context))
            try context.changeHeader("Content-Transfer-Encoding", index: 1, value: Self.headerValue("8bit", context))
        }
        // libmilter sends a body replacement in pieces; 64 KiB keeps each within its packet size.
        var offset = 0
        repeat {
            let end = min(offset + 65536, rewrite.body.count)
            try context.replaceBody(Array(rewrite.body[offset..<end]))
            offset = end
        } while offset < rewrite.body.count
        return "strip parts=\(rewrite.replaced.joined(separator: ","))"
    }

    /// The response with its reply. A reply that cannot be sent is logged, never dropped
    /// quietly: the MTA then gives its own generic text for the same code.
    private func respond(_ code: ResponseCode, reply: Result<SMTPReply, SMTPReplyError>, action: String) -> MilterResponseSummaryAndResponse {
        switch reply {
        case .success(let reply):
            return MilterResponseSummaryAndResponse(
                response: MilterResponse(code: code, reply: reply),
                summary: MilterResponseSummary(action: action, reply: "\(reply)"))
        case .failure(let error):
            logger.error("SMTP reply cannot be sent; the MTA answers with its default text",
                         metadata: ["scan.action": "\(action)", "error": "\(error)"])
            return MilterResponseSummaryAndResponse(response: MilterResponse(code: code), summary: MilterResponseSummary(action: action))
        }
    }

    private static func names(_ decision: Decision) -> [String] {
        switch decision.verdict {
        case .infected(let names): names
        case .banned(let rules): rules
        case .unscanned(let reason): [reason]
        case .clean: []
        }
    }
}

/// The response for libmilter and its summary for the log.
struct MilterResponseSummaryAndResponse {
    var response: MilterResponse
    var summary: MilterResponseSummary
}

extension DecisionExecutor {
    /// A decision that could not be carried out.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
