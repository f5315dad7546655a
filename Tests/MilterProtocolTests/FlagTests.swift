import MilterProtocol
import Testing

@Suite("Protocol flags")
struct FlagTests {
    @Test func everyOptionalStepHasItsOwnNotSentAndNoReplyFlag() {
        let notSent = OptionalStep.allCases.map(\.notSentFlag)
        let noReply = OptionalStep.allCases.map(\.noReplyFlag)
        #expect(Set(notSent.map(\.rawValue)).count == OptionalStep.allCases.count)
        #expect(Set(noReply.map(\.rawValue)).count == OptionalStep.allCases.count)
        let all = ProtocolSteps(notSent + noReply)
        #expect(all.isDisjoint(with: [.skip, .rejectedRecipients, .headerLeadingSpace]))
        #expect(all.union([.skip, .rejectedRecipients, .headerLeadingSpace]) == .all)
    }

    @Test func flagSetsNameTheirCFlagsAndUnknownBits() {
        #expect(ActionFlags([.addHeaders, .changeFrom]).description == "[SMFIF_ADDHDRS, SMFIF_CHGFROM]")
        #expect(ProtocolSteps(rawValue: 0x0040_0401).description == "[SMFIP_NOCONNECT, SMFIP_SKIP, 0x400000]")
    }
}
