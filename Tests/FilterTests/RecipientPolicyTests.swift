import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Milter
import MilterProtocol
import MilterTesting
import Quarantine
import Scanning
import Testing

/// Which policy applies to which recipient, how their decisions combine, and what the session
/// then asks of the MTA.
@Suite struct RecipientPolicyTests {
    static func config(_ toml: String) throws -> ScanmilterConfig {
        try ScanmilterConfig.parse(toml)
    }

    static let labAndQuarantine = """
        [[override]]
        name = "lab"
        recipients = ["@lab.example.org", "ceo@example.com"]
        [override.actions]
        banned = "tag"
        [override.policy]
        banned_extensions = []
        [[override]]
        name = "keep"
        recipients = ["@.keep.example"]
        [override.actions]
        banned = "quarantine"
        infected = "quarantine"
        [[override]]
        name = "never"
        recipients = ["@lab.example.org"]
        [override.actions]
        banned = "accept"
        """

    @Test func theFirstMatchingOverrideAppliesAndSaysWhy() throws {
        let policies = try RecipientPolicies.make(Self.config(Self.labAndQuarantine))
        #expect(policies.resolve("<Alice@LAB.example.org>").policy.name == "lab")
        #expect(policies.resolve("<Alice@LAB.example.org>").reason == "override lab (matched @lab.example.org)")
        #expect(policies.resolve("<x@a.keep.example>").policy.name == "keep")
        #expect(policies.resolve("<x@example.net>").reason == "default (no override matched)")
        // The lab's rules differ, the others share the default's: two rule sets, not four.
        #expect(policies.ruleSets.count == 2)
    }

    static func recipient(_ address: String, _ action: MessageAction, _ policy: String = "default") -> MessagePlan.Recipient {
        MessagePlan.Recipient(address: address, policy: policy, decision: Decision(verdict: .banned(["r"]), action: action))
    }

    @Test func theStrictnessOrderIsTheDocumentedOne() {
        let order: [MessageAction] = [.reject, .tempfail, .quarantine, .hold, .discard, .strip, .tag, .accept]
        #expect(order.map(\.strictness) == order.map(\.strictness).sorted(by: >))
        #expect(Set(order) == Set(MessageAction.allCases))
    }

    @Test func aRefusalByAnyRecipientRefusesTheWholeMessage() {
        let plan = MessagePlan(
            recipients: [Self.recipient("a", .tag, "lab"), Self.recipient("b", .reject), Self.recipient("c", .quarantine, "keep")],
            whole: Decision(verdict: .clean, action: .tag))
        #expect(plan.decision.action == .reject && plan.decidingPolicy == "default")
        #expect(plan.removed.isEmpty)
    }

    @Test func quarantineAndDiscardRecipientsAreSplitOffAndTheOthersGetTheirStrictestAction() {
        let plan = MessagePlan(
            recipients: [
                Self.recipient("a", .tag, "lab"), Self.recipient("b", .quarantine, "keep"), Self.recipient("c", .strip),
                Self.recipient("d", .discard, "drop"),
            ],
            whole: Decision(verdict: .clean, action: .tag))
        #expect(plan.decision.action == .strip && plan.decidingPolicy == "default")
        #expect(plan.removed == ["b", "d"])
        #expect(plan.removedDecision?.action == .quarantine)
        #expect(plan.quarantineRecipients == ["b"])
        #expect(plan.summary == "a=tag(lab) b=quarantine(keep) c=strip(default) d=discard(drop)")
    }

    @Test func whenNobodyReceivesItTheStrictestKeepsACopyForTheQuarantineRecipientsOnly() {
        let plan = MessagePlan(
            recipients: [Self.recipient("a", .discard), Self.recipient("b", .quarantine, "keep")],
            whole: Decision(verdict: .clean, action: .tag))
        #expect(plan.decision.action == .quarantine && plan.removed.isEmpty && plan.quarantineRecipients == ["b"])
    }

    @Test func agreeingRecipientsAndNoRecipientsAreOneDecision() {
        let agree = MessagePlan(recipients: [Self.recipient("a", .reject), Self.recipient("b", .reject)], whole: Decision(verdict: .clean, action: .tag))
        #expect(agree.decision.action == .reject && !agree.isSplit)
        let none = MessagePlan(recipients: [], whole: Decision(verdict: .clean, action: .tag))
        #expect(none.decision.action == .tag)
    }

    @Test func anOverridesSenderAllowlistAcceptsForItsRecipientsOnly() throws {
        let policies = try RecipientPolicies.make(Self.config("""
            [[override]]
            name = "partners"
            recipients = ["@partners.example"]
            [override.policy]
            sender_allowlist = ["@trusted.example"]
            """))
        let findings = Findings(scan: .infected(["V"]))
        let plan = policies.plan(sender: "<x@trusted.example>", recipients: ["<a@partners.example>", "<b@example.net>"], queueID: "Q") { _ in findings }
        #expect(plan.recipients.map(\.decision.action) == [.accept, .reject])
        #expect(plan.decision.action == .reject)
    }

    // MARK: through the session

    static let exe = "MZ" + String(repeating: "\u{0}", count: 200)

    func deliver(_ service: FilterService, to recipients: [String], attachment: String = RecipientPolicyTests.exe, name: String = "tool.exe") -> (TestConnection, ResponseCode?) {
        let connection = TestConnection { service.makeSession() }
        connection.connect(hostname: "client.test", address: .inet(address: "192.0.2.7", port: 2525))
        connection.setMacros(["i": "QID9"], for: .endOfMessage)
        let code = connection.sendMessage(
            from: "<a@example.org>", to: recipients, headers: ScanSessionTests.multipartHeaders,
            body: ScanSessionTests.multipartBody(attachment: attachment, name: name))
        return (connection, code)
    }

    @Test func aBannedAttachmentIsTaggedForTheLabAndRejectedForOthers() throws {
        let (service, dir) = try ScanSessionTests.service { config, _ in
            config.overrides = (try? Self.config(Self.labAndQuarantine).overrides) ?? []
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (lab, labCode) = deliver(service, to: ["<alice@lab.example.org>"])
        #expect(labCode == .continue)
        let status = lab.context.addedHeaders.first { $0.name == "X-Virus-Status" }?.value ?? ""
        #expect(status.contains("Banned (banned-extension:exe") || status.contains("Banned (banned-type"), "\(status)")
        #expect(deliver(service, to: ["<bob@example.net>"]).1 == .reject)
        #expect(deliver(service, to: ["<alice@lab.example.org>", "<bob@example.net>"]).1 == .reject)
        let snapshot = service.metrics.snapshot
        #expect(snapshot.overrideMessages[OverrideKey(override: "lab", action: "tag")] == 2)
    }

    @Test func aQuarantineRecipientIsRemovedAndStoredAloneWhileTheLabReceivesIt() throws {
        let (plain, dir) = try ScanSessionTests.service { config, _ in
            config.overrides = (try? Self.config(Self.labAndQuarantine).overrides) ?? []
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuarantineStore(directory: "\(dir)/quarantine", logger: Logger(label: "test"))
        let service = FilterService(config: plain.config, pipeline: plain.pipeline, scanner: plain.scanner, quarantine: store, logger: plain.logger)
        let (connection, code) = deliver(service, to: ["<alice@lab.example.org>", "<carol@x.keep.example>"])
        #expect(code == .continue)
        #expect(connection.context.deletedRecipients == ["<carol@x.keep.example>"])
        let entry = try #require(try store.list().first)
        #expect(entry.recipients.map(\.address) == ["carol@x.keep.example"])
        #expect(entry.findings.last == "recipients: <alice@lab.example.org>=tag(lab) <carol@x.keep.example>=quarantine(keep)")
    }

    @Test func noticesGoToTheAdminsOfTheRecipientsPoliciesAndNameTheHeldRecipients() throws {
        let (plain, dir) = try ScanSessionTests.service { config, _ in
            config.overrides = (try? Self.config(Self.labAndQuarantine + """

                [[override]]
                name = "quiet"
                recipients = ["@quiet.example"]
                [override.notify]
                admins = []
                """).overrides) ?? []
            config.overrides[1].notifyAdmins = ["keeper@keep.example"]
            config.notify.admins = ["postmaster@example.net"]
            config.notify.verdicts = [.banned]
            config.notify.recipients = true
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuarantineStore(directory: "\(dir)/quarantine", logger: Logger(label: "test"))
        let notifier = try #require(plain.notifier)
        let service = FilterService(
            config: plain.config, pipeline: plain.pipeline, scanner: plain.scanner, quarantine: store, logger: plain.logger,
            metrics: plain.metrics, notifier: notifier)
        _ = deliver(service, to: ["<alice@lab.example.org>", "<carol@x.keep.example>"])
        _ = deliver(service, to: ["<q@quiet.example>"])
        let notices = notifier.pending
        #expect(notices.count == 2)
        let split = try #require(notices.first)
        // The lab falls back to [notify] admins; the keep override names its own.
        #expect(split.admins == ["postmaster@example.net", "keeper@keep.example"])
        #expect(split.held == ["<carol@x.keep.example>"] && split.quarantineID != nil)
        #expect(split.recipients.map(\.policy) == ["lab", "keep"])
        // An override with no admins silences them for its recipients (the hook still runs).
        #expect(notices.last?.admins == [])
    }

    @Test func aHookThatIsNotAnExecutableStopsStartup() throws {
        #expect {
            _ = try ScanSessionTests.service { config, dir in config.notify.command = ["\(dir)/no-such-hook"] }
        } throws: { error in
            "\(error)".hasPrefix("[notify] command: ") && "\(error)".hasSuffix("no-such-hook is not an executable file")
        }
    }
}
