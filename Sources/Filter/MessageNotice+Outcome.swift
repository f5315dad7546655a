import ScanmilterConfiguration
import Foundation

extension MessageNotice {
    /// The notice for a decided message, or nil when no recipient's verdict is one of `verdicts`.
    /// The administrators are those of the policies whose recipients had such a verdict.
    static func make(
        outcome: MessageOutcome, message: MessageState, session: SessionFacts, acted: MilterResponseSummary, queueID: String,
        host: String, policies: RecipientPolicies, verdicts: [NotifyVerdict]
    ) -> MessageNotice? {
        let wanted = Set(verdicts.map(\.rawValue))
        let plan = outcome.plan
        let notable = plan.recipients.filter { wanted.contains($0.decision.verdictName) }
        let decision: Decision
        if wanted.contains(outcome.decision.verdictName) {
            decision = outcome.decision
        } else if let first = notable.first {
            decision = first.decision
        } else {
            return nil
        }
        var admins: [String] = []
        let names = plan.recipients.isEmpty ? [RecipientPolicies.defaultName] : notable.map(\.policy)
        for name in names {
            for admin in policies.policy(named: name).admins where !admins.contains(admin) { admins.append(admin) }
        }
        var held: [String] = []
        if acted.quarantineID != nil {
            if outcome.decision.action == .quarantine || outcome.decision.action == .hold {
                held = plan.quarantineRecipients.isEmpty || outcome.decision.action == .hold
                    ? message.recipients.filter { !plan.removed.contains($0) } : plan.quarantineRecipients
            }
            if plan.isSplit { held += plan.quarantineRecipients.filter { !held.contains($0) } }
        }
        var viruses: [String] = [], rules: [String] = []
        switch decision.verdict {
        case .infected(let names): viruses = names
        case .banned(let names): rules = names
        case .unscanned(let reason): rules = [reason]
        case .clean: break
        }
        return MessageNotice(
            time: Date(), host: host, queueID: queueID, clientAddress: session.clientAddress, helo: session.helo,
            sender: message.sender, subject: message.subject,
            recipients: plan.recipients.map {
                Recipient(address: $0.address, policy: $0.policy, action: $0.decision.action.rawValue, verdict: $0.decision.statusText)
            },
            verdict: decision.verdictName, status: decision.statusText, viruses: viruses, rules: rules, action: acted.action,
            quarantineID: acted.quarantineID, admins: admins, held: held)
    }
}
