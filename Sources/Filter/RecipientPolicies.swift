public import ScanmilterConfiguration
public import Scanning

/// The policy that applies to one recipient: the file's own (`default`) or an `[[override]]`'s.
public struct RecipientPolicy: Sendable {
    /// `default`, or the override's name.
    public let name: String
    /// Actions and replies.
    public let policy: Policy
    /// The type and archive rules (an index into ``RecipientPolicies/ruleSets``: recipients
    /// whose rules are the same share one evaluation).
    let ruleSet: Int
    /// `max_signature_age` for this recipient (0: never stale).
    public let maxSignatureAge: Double
    /// Senders and recipients whose mail this policy accepts whatever was found.
    public let senderAllowlist: [String]
    public let recipientAllowlist: [String]
    /// Who is told when a message for this recipient is stopped.
    public let admins: [String]
    /// Whether this is the file's own policy rather than an override.
    public var isDefault: Bool { name == RecipientPolicies.defaultName }
}

/// The type rules and archive rules one or more policies share.
public struct RuleSet: Sendable {
    public let typeRules: TypeRules
    /// Nil when `check_archives` is off.
    public let archives: ArchiveRules?
}

/// The one place that says which policy applies to which recipient (the file's `[actions]`,
/// `[reply]` and `[policy]`, or the first `[[override]]` whose recipients match), and how the
/// recipients' decisions become one plan for the message (``plan(sender:recipients:queueID:findings:)``).
public struct RecipientPolicies: Sendable {
    /// The name of the file's own policy in logs, metrics and notifications.
    public static let defaultName = "default"

    /// The file's own policy.
    public let standard: RecipientPolicy
    /// The overrides in the file's order, each with its patterns.
    let overrides: [(patterns: [RecipientPattern], policy: RecipientPolicy)]
    /// Every distinct set of rules; the default's is first.
    public let ruleSets: [RuleSet]

    /// Which policy applies to a recipient, and why.
    public struct Resolution: Sendable {
        public let policy: RecipientPolicy
        /// The override's pattern that matched; nil for the default.
        public let matched: RecipientPattern?

        /// `override lab (matched @lab.example.org)` or `default (no override matched)`.
        public var reason: String {
            guard let matched else { return "\(policy.name) (no override matched)" }
            return "override \(policy.name) (matched \(matched))"
        }
    }

    /// The policy for `recipient` (as the MTA spells it): the first override that matches, else the default.
    public func resolve(_ recipient: String) -> Resolution {
        let address = RecipientPattern.Address(recipient)
        for (patterns, policy) in overrides {
            if let matched = patterns.first(where: { $0.matches(address) }) {
                return Resolution(policy: policy, matched: matched)
            }
        }
        return Resolution(policy: standard, matched: nil)
    }

    /// The policy called `name` (the default when there is none of that name).
    public func policy(named name: String) -> RecipientPolicy {
        overrides.first { $0.policy.name == name }?.policy ?? standard
    }

    /// The policies the configuration describes; a banned type name that does not exist is an
    /// error. `scannerCrash` is what every policy does with a poison message (``Policy/scannerCrash``).
    public static func make(_ config: ScanmilterConfig, scannerCrash: MessageAction = .reject) throws -> RecipientPolicies {
        var keys: [RuleKey] = []
        var ruleSets: [RuleSet] = []
        func ruleSet(_ settings: PolicySettings) throws -> Int {
            let key = RuleKey(settings)
            if let index = keys.firstIndex(of: key) { return index }
            keys.append(key)
            ruleSets.append(RuleSet(
                typeRules: try FilterService.typeRules(settings),
                archives: settings.checkArchives
                    ? ArchiveRules(
                        banEncrypted: settings.banEncryptedArchives, banLimits: settings.banArchiveLimits,
                        passwordCandidates: settings.archivePasswordCandidates)
                    : nil))
            return ruleSets.count - 1
        }
        func policy(_ name: String, _ actions: ActionSettings, _ reply: ReplySettings, _ settings: PolicySettings, _ admins: [String]) throws -> RecipientPolicy {
            RecipientPolicy(
                name: name, policy: Policy(actions: actions, replies: reply, scannerCrash: scannerCrash), ruleSet: try ruleSet(settings),
                maxSignatureAge: settings.maxSignatureAge, senderAllowlist: settings.senderAllowlist,
                recipientAllowlist: settings.recipientAllowlist, admins: admins)
        }
        let standard = try policy(defaultName, config.actions, config.reply, config.policy, config.notify.admins)
        var overrides: [(patterns: [RecipientPattern], policy: RecipientPolicy)] = []
        for override in config.overrides {
            do {
                overrides.append((override.recipients, try policy(
                    override.name, override.actions, override.reply, override.policy, override.notifyAdmins ?? config.notify.admins)))
            } catch let error as FilterService.StartupError {
                throw FilterService.StartupError(component: "[[override]] \(override.name): \(error.component)", message: error.message)
            }
        }
        return RecipientPolicies(standard: standard, overrides: overrides, ruleSets: ruleSets)
    }

    /// The rule keys that change what the type and archive rules find.
    private struct RuleKey: Equatable {
        var bannedTypes: [String], bannedExtensions: [String], typeMismatch: Bool
        var checkArchives: Bool, banEncrypted: Bool, banLimits: Bool, passwordCandidates: Int

        init(_ settings: PolicySettings) {
            bannedTypes = settings.bannedTypes
            bannedExtensions = settings.bannedExtensions
            typeMismatch = settings.typeMismatch
            checkArchives = settings.checkArchives
            banEncrypted = settings.banEncryptedArchives
            banLimits = settings.banArchiveLimits
            passwordCandidates = settings.archivePasswordCandidates
        }
    }
}

extension RecipientPolicies {
    /// The policies `recipients` fall under (each once, in first-seen order), with the recipients
    /// of each; the default alone when there are no recipients (an offline scan).
    public func grouped(_ recipients: [String]) -> [(policy: RecipientPolicy, recipients: [String])] {
        guard !recipients.isEmpty else { return [(standard, [])] }
        var groups: [(policy: RecipientPolicy, recipients: [String])] = []
        for recipient in recipients {
            let policy = resolve(recipient).policy
            if let index = groups.firstIndex(where: { $0.policy.name == policy.name }) {
                groups[index].recipients.append(recipient)
            } else {
                groups.append((policy, [recipient]))
            }
        }
        return groups
    }

    /// Decides for every recipient under its own policy, with `findings(policy)` what the
    /// pipeline found under that policy's rules, and combines the decisions (``MessagePlan``).
    /// A recipient whose policy allowlists the sender or the recipient gets `accept`.
    public func plan(sender: String, recipients: [String], queueID: String, findings: (RecipientPolicy) -> Findings) -> MessagePlan {
        var entries: [MessagePlan.Recipient] = []
        var byPolicy: [String: Findings] = [:]
        var decisions: [String: Decision] = [:]
        for (policy, members) in grouped(recipients) {
            let found = findings(policy)
            byPolicy[policy.name] = found
            let decision = policy.policy.decide(found, queueID: queueID)
            decisions[policy.name] = decision
            for recipient in members {
                var own = decision
                if let list = allowlisted(sender: sender, recipient: recipient, policy: policy) {
                    own = Decision(verdict: decision.verdict, action: .accept, notes: ["\(list): accepted whatever was found"])
                }
                entries.append(MessagePlan.Recipient(address: recipient, policy: policy.name, decision: own))
            }
        }
        // With no recipients (an offline scan) the default policy's decision is the plan.
        let whole = decisions[standard.name] ?? Decision(verdict: .clean, action: .accept)
        return MessagePlan(recipients: entries, whole: whole, findings: byPolicy)
    }

    private func allowlisted(sender: String, recipient: String, policy: RecipientPolicy) -> String? {
        if BypassRules.matches(sender, policy.senderAllowlist) { return "sender-allowlist" }
        if BypassRules.matches(recipient, policy.recipientAllowlist) { return "recipient-allowlist" }
        return nil
    }
}
