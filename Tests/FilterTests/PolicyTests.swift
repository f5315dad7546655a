import ScanmilterConfiguration
import MilterProtocol
@testable import Filter
import Scanning
import Testing

@Suite struct PolicyTests {
    let policy = Policy(actions: ActionSettings(), replies: ReplySettings())

    @Test func cleanMailIsTaggedByDefault() {
        let decision = policy.decide(Findings(scan: .clean))
        #expect(decision.verdict == .clean && decision.action == .tag && decision.reply == nil)
        #expect(decision.statusText == "Clean")
    }

    @Test func infectedMailIsRejectedWithEveryVirusNameInTheReply() throws {
        let decision = policy.decide(Findings(scan: .infected(["Eicar-Test-Signature", "Other.Sig"]), infectedParts: ["2"]), queueID: "ABC")
        #expect(decision.action == .reject)
        #expect(decision.reply == (try SMTPReply(code: 550, enhancedCode: "5.7.1", "Message rejected: virus found: Eicar-Test-Signature, Other.Sig")))
        #expect(decision.statusText == "Infected (Eicar-Test-Signature, Other.Sig)")
    }

    @Test func infectedBeatsBannedAndBannedBeatsUnscannable() {
        let both = Findings(scan: .infected(["V"]), banned: [BannedHit(rule: "banned-extension:exe", partPath: "2")])
        #expect(policy.decide(both).verdict == .infected(["V"]))
        let banned = Findings(scan: .unscannable(UnscannableReason(.encrypted, "zip")), banned: [BannedHit(rule: "banned-extension:exe", partPath: "2")])
        #expect(policy.decide(banned).verdict == .banned(["banned-extension:exe"]))
        #expect(policy.decide(banned).reply?.lines == ["Message rejected: attachment not allowed: banned-extension:exe"])
    }

    @Test func aTruncatedMessageIsNeverLabelledClean() {
        let decision = policy.decide(Findings(scan: .clean, truncated: true))
        #expect(decision.verdict == .unscanned("size"))
        #expect(decision.statusText == "Unscanned (size)")
        #expect(decision.action == .tag)
        // ...but an infected prefix is still infected.
        #expect(policy.decide(Findings(scan: .infected(["V"]), truncated: true)).verdict == .infected(["V"]))
    }

    @Test func scannerFailuresTempfailByDefaultNeverAccept() {
        let decision = policy.decide(Findings(scan: .unscannable(UnscannableReason(.backendUnavailable, "clamd down"))))
        #expect(decision.action == .tempfail)
        #expect(decision.reply?.code == 451)
        #expect(decision.statusText == "Unscanned (unavailable)")
    }

    @Test func aFixedLimitIsRefusedForGoodAndTheReplyNamesIt() throws {
        let decision = policy.decide(Findings(scan: .unscannable(UnscannableReason(.limitExceeded, "MIME nesting-too-deep"))))
        #expect(decision.action == .reject)
        #expect(decision.reply == (try SMTPReply(code: 554, enhancedCode: "5.6.0", "Message exceeds a scanning limit: MIME nesting-too-deep")))
        #expect(decision.statusText == "Unscanned (limit)")
        // A failure a retry may cure keeps the unscannable action.
        #expect(policy.decide(Findings(scan: .unscannable(UnscannableReason(.timeout, "slow")))).action == .tempfail)
        // An oversize (truncated) message stays the oversize case even when the cut hit a limit.
        #expect(policy.decide(Findings(scan: .unscannable(UnscannableReason(.limitExceeded, "x")), truncated: true)).verdict == .unscanned("size"))
    }

    @Test func staleSignaturesApplyTheStaleAction() throws {
        var actions = ActionSettings()
        actions.stale = .tempfail
        let decision = Policy(actions: actions, replies: ReplySettings()).decide(Findings(scan: .clean, signaturesStale: true))
        #expect(decision.action == .tempfail)
        #expect(decision.reply == (try SMTPReply(code: 451, enhancedCode: "4.7.1", "Virus signatures are out of date, please try again later")))
    }

    @Test func stripWithNoAttributablePartFallsBackToReject() {
        var actions = ActionSettings()
        actions.infected = .strip
        let strip = Policy(actions: actions, replies: ReplySettings())
        #expect(strip.decide(Findings(scan: .infected(["V"]), infectedParts: ["1.2"])).action == .strip)
        #expect(strip.decide(Findings(scan: .infected(["V"]), infectedParts: ["1.2"])).stripParts == ["1.2"])
        let fallback = strip.decide(Findings(scan: .infected(["V"])))
        #expect(fallback.action == .reject && fallback.reply?.code == 550)
    }

    @Test func aTempfailActionWithAPermanentTemplateStillAnswers4xx() {
        var actions = ActionSettings()
        actions.infected = .tempfail
        let decision = Policy(actions: actions, replies: ReplySettings()).decide(Findings(scan: .infected(["V"])))
        #expect(decision.reply?.code == 451 && decision.reply?.enhancedCode == "4.7.1")
    }

    @Test func aDoublePercentInATemplateIsALiteralPercentInTheReply() throws {
        var replies = ReplySettings()
        replies.infected = ReplyTemplate(code: 550, enhancedCode: "5.7.1", text: "100%% sure: %v")
        let decision = Policy(actions: ActionSettings(), replies: replies).decide(Findings(scan: .infected(["Eicar"])))
        #expect(decision.reply == (try SMTPReply(code: 550, enhancedCode: "5.7.1", "100% sure: Eicar")))
        #expect(decision.reply?.escapedLines == ["100%% sure: Eicar"])
    }

    @Test func aReplyTooLongForLibmilterIsCutNotDropped() throws {
        // 400 three-byte characters survive sanitising but would make a line over 980 bytes.
        let name = String(repeating: "€", count: 400)
        let decision = policy.decide(Findings(scan: .infected([name])))
        let reply = try #require(decision.reply)
        #expect(reply.code == 550 && reply.lines.count == 1)
        #expect(reply.lines[0].hasPrefix("Message rejected: virus found: €€€") && reply.lines[0].hasSuffix("..."))
        try reply.checkSendableByMilter()
    }

    @Test func attackerChosenNamesCannotBreakHeadersOrReplies() {
        let decision = policy.decide(Findings(scan: .clean, banned: [BannedHit(rule: "evil\r\nX-Injected: yes", partPath: "1")]))
        #expect(!decision.statusText.contains("\r") && !decision.statusText.contains("\n"))
        #expect(decision.reply?.lines.allSatisfy { !$0.contains("\n") } == true)
    }

    @Test func aTruncatedMessageIsNeverQuarantinedOrStrippedPartly() {
        for action in [MessageAction.quarantine, .strip] {
            var actions = ActionSettings()
            actions.infected = action
            let decision = Policy(actions: actions, replies: ReplySettings())
                .decide(Findings(scan: .infected(["V"]), infectedParts: ["2"], truncated: true))
            #expect(decision.action == .reject)
            #expect(decision.notes.contains { $0.hasPrefix("\(action.rawValue)-fallback") })
        }
    }
}
