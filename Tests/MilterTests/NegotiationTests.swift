import Milter
import MilterTesting
import Testing

@Suite("Negotiation")
struct NegotiationTests {
    @Test func handlerWithOnlyEndOfMessageSwitchesOffEveryOptionalStep() throws {
        let connection = TestConnection(handler: EndOfMessageOnly())
        connection.negotiate()
        let steps = try #require(connection.negotiated).steps
        let expected: ProtocolSteps = [
            .noConnect, .noHelo, .noEnvelopeFrom, .noEnvelopeRecipient, .noData, .noUnknown,
            .noHeaders, .noEndOfHeaders, .noBody,
        ]
        #expect(steps.isSuperset(of: expected))
        #expect(steps.intersection([.noReplyConnect, .noReplyHeader, .noReplyBody, .noReplyEndOfHeaders]).isEmpty)
        #expect(steps.contains(.skip))
        #expect(!steps.contains(.headerLeadingSpace) && !steps.contains(.rejectedRecipients))
    }

    @Test func stepsNegotiatedAwayAreNotSent() {
        let connection = TestConnection(handler: EndOfMessageOnly())
        #expect(connection.connect() == nil)
        #expect(connection.mailFrom("<a@example.com>") == nil)
        #expect(connection.header("Subject", "hi") == nil)
        #expect(connection.body("x") == nil)
        #expect(connection.endOfMessage() == .continue)
    }

    @Test func implementedStepsStayOnAndNoReplyStepsGetNoReplyFlags() throws {
        let connection = TestConnection(handler: Recorder(noReply: [.header, .body, .connect]))
        connection.negotiate()
        let steps = try #require(connection.negotiated).steps
        #expect(steps.intersection([.noConnect, .noHeaders, .noBody, .noEnvelopeFrom]).isEmpty)
        #expect(steps.isSuperset(of: [.noReplyHeader, .noReplyBody, .noReplyConnect]))
        #expect(!steps.contains(.noReplyEnvelopeFrom))
        #expect(connection.header("Subject", "hi") == .noReply)
        #expect(connection.mailFrom("<a@example.com>") == .continue)
    }

    @Test func noReplyIsNotAskedForWhenTheMTADoesNotOfferIt() throws {
        let offer = NegotiationOffer(actions: .all, steps: ProtocolSteps.all.subtracting([.noReplyHeader, .skip]))
        let connection = TestConnection(handler: Recorder(noReply: [.header]), offer: offer)
        connection.negotiate()
        let steps = try #require(connection.negotiated).steps
        #expect(!steps.contains(.noReplyHeader))
        #expect(!steps.contains(.skip))
        #expect(connection.header("Subject", "hi") == .continue)
    }

    @Test func skipIsNegotiatedAndStopsFurtherBodyChunks() {
        let handler = Recorder()
        handler.bodyAnswer = .skip
        let connection = TestConnection(handler: handler)
        connection.mailFrom("<a@example.com>")
        #expect(connection.body("first") == .skip)
        #expect(connection.body("second") == nil)
        #expect(handler.bodyBytes == Array("first".utf8))
        #expect(connection.endOfMessage() == .continue)
        #expect(connection.body("next message") == .skip)
    }

    @Test func skipWithoutNegotiatedSkipBecomesContinue() {
        let handler = Recorder()
        handler.bodyAnswer = .skip
        let offer = NegotiationOffer(actions: .all, steps: ProtocolSteps.all.subtracting(.skip))
        let connection = TestConnection(handler: handler, offer: offer)
        #expect(connection.body("first") == .continue)
        #expect(connection.body("second") == .continue)
    }

    @Test func optInsAreAskedForOnlyWhenDeclared() throws {
        let plain = TestConnection(handler: Recorder())
        plain.negotiate()
        #expect(try #require(plain.negotiated).steps.intersection([.headerLeadingSpace, .rejectedRecipients]).isEmpty)
        let optedIn = TestConnection(handler: Recorder(optIns: [.headerLeadingSpace, .rejectedRecipients]))
        optedIn.negotiate()
        #expect(try #require(optedIn.negotiated).steps.isSuperset(of: [.headerLeadingSpace, .rejectedRecipients]))
    }

    @Test func actionsAreCutDownToTheOffer() throws {
        let offer = NegotiationOffer(actions: [.addHeaders, .changeHeaders], steps: .all)
        let connection = TestConnection(handler: EndOfMessageOnly(), offer: offer)
        connection.negotiate()
        #expect(try #require(connection.negotiated).actions == [.addHeaders, .changeHeaders])
    }

    @Test func macroListsAreSetDuringNegotiate() throws {
        let connection = TestConnection(handler: Recorder(macroLists: [.endOfMessage: ["i", "{auth_type}"]]))
        connection.negotiate()
        #expect(connection.context.actions == [.setMacroList(.endOfMessage, ["i", "{auth_type}"])])
        #expect(try #require(connection.negotiated).actions.contains(.setSymbolList))
    }

    @Test func macroListsOutsideNegotiateAreRefused() {
        let connection = TestConnection(handler: EndOfMessageOnly { context in
            try context.setMacroList(.connect, macros: ["j"])
            return .continue
        })
        #expect(connection.endOfMessage() == .tempfail)
        #expect(connection.context.actionsBesideTheReply.isEmpty)
    }

    @Test func overriddenNegotiateDecides() throws {
        final class Custom: MilterHandler {
            func negotiate(_ offer: NegotiationOffer, context: any MilterContext) throws -> NegotiationResult {
                .options(NegotiatedOptions(actions: [.quarantine], steps: [.noConnect, .noReplyBody]))
            }
        }
        let connection = TestConnection(handler: Custom())
        connection.negotiate()
        #expect(connection.negotiated == NegotiatedOptions(actions: [.quarantine], steps: [.noConnect, .noReplyBody]))
    }

    @Test func rejectedNegotiationSendsNothing() {
        final class Refuser: MilterHandler {
            func negotiate(_ offer: NegotiationOffer, context: any MilterContext) throws -> NegotiationResult { .reject }
        }
        let connection = TestConnection(handler: Refuser())
        #expect(connection.endOfMessage() == nil)
    }

    @Test func flagDescriptionsUseTheCNames() {
        #expect(ProtocolSteps([.noConnect, .skip]).description == "[SMFIP_NOCONNECT, SMFIP_SKIP]")
        #expect(ActionFlags([.addHeaders, .changeFrom]).description == "[SMFIF_ADDHDRS, SMFIF_CHGFROM]")
        #expect(ActionFlags.all.rawValue == 0x1FF)
        #expect(ProtocolSteps.all.rawValue == 0x1F_FFFF)
    }
}
