import Milter
import MilterTesting
import Testing

/// A handler's declarations against its code, and the exception policy's reply, without libmilter.
@Suite("Handler declarations")
struct DeclarationTests {
    /// Implements header but declares nothing: libmilter would negotiate header away.
    final class ForgotToDeclare: MilterHandler {
        private(set) var headers = 0
        func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
            headers += 1
            return .continue
        }
    }

    @Test func aCallbackImplementedButNotDeclaredFailsTheCheck() {
        #expect(throws: MilterError.undeclaredCallbacks(handler: "ForgotToDeclare", callbacks: [.header])) {
            try ForgotToDeclare().checkDeclarations()
        }
    }

    @Test func handlersThatDeclareWhatTheyImplementPassTheCheck() throws {
        try EndOfMessageOnly().checkDeclarations()
        try Recorder(noReply: [.header], macroLists: [.envelopeFrom: ["i", "j", "_", "{auth_type}", "{auth_authen}"]])
            .checkDeclarations()
    }

    @Test func testConnectionRefusesAnUndeclaredCallbackBeforeTheFirstStep() {
        let connection = TestConnection(handler: ForgotToDeclare())
        #expect(connection.connect() == .tempfail)
        #expect(connection.declarationError == .undeclaredCallbacks(handler: "ForgotToDeclare", callbacks: [.header]))
    }

    @Test func aMacroListOfSixIsRefusedAndFiveAreAllowed() {
        #expect(throws: MilterError.self) {
            try Recorder(macroLists: [.connect: ["a", "b", "c", "d", "e", "f"]]).checkDeclarations()
        }
        let five = TestConnection(handler: Recorder(macroLists: [.connect: ["a", "b", "c", "d", "e"]]))
        five.negotiate()
        #expect(five.context.actions == [.setMacroList(.connect, ["a", "b", "c", "d", "e"])])
    }

    @Test func aMacroListMayBeOneSpaceSeparatedString() throws {
        final class Negotiator: MilterHandler {
            var error: MilterError?
            func negotiate(_ offer: NegotiationOffer, context: any MilterContext) throws -> NegotiationResult {
                try context.setMacroList(.envelopeFrom, macros: "{auth_type}  {auth_authen} i")
                do {
                    try context.setMacroList(.data, macros: "a b c d e f")
                } catch {
                    self.error = error
                }
                return try defaultNegotiation(offer, context: context)
            }
        }
        let handler = Negotiator()
        let connection = TestConnection(handler: handler)
        connection.negotiate()
        #expect(connection.context.actions == [.setMacroList(.envelopeFrom, ["{auth_type}", "{auth_authen}", "i"])])
        #expect(handler.error == .invalidArgument(
            function: "smfi_setsymlist", reason: "the data macro list names 6 macros; at most 5 per stage"))
    }

    @Test func anUntrappedErrorRepliesWithTheMilterAndCallbackNotTheErrorText() throws {
        struct Secret: Error, CustomStringConvertible { var description: String { "Subject: confidential" } }
        let tempfail = TestConnection(handler: EndOfMessageOnly { _ in throw Secret() }, milterName: "mine")
        #expect(tempfail.endOfMessage() == .tempfail)
        #expect(tempfail.context.reply == (try SMTPReply(code: 451, enhancedCode: "4.3.0", "mine: untrapped exception in endOfMessage")))
        let reject = TestConnection(handler: EndOfMessageOnly { _ in throw Secret() }, exceptionPolicy: .reject, milterName: "mine")
        #expect(reject.endOfMessage() == .reject)
        #expect(reject.context.reply == (try SMTPReply(code: 554, enhancedCode: "5.3.0", "mine: untrapped exception in endOfMessage")))
        let accept = TestConnection(handler: EndOfMessageOnly { _ in throw Secret() }, exceptionPolicy: .accept)
        #expect(accept.endOfMessage() == .accept)
        #expect(accept.context.reply == nil)
    }

    @Test func anAnswerOwedByHeloOutlivesAnAbortedMessage() throws {
        final class HeloRejecter: MilterHandler {
            var implementedCallbacks: Set<MilterCallback> { [.helo, .envelopeFrom] }
            var noReplyCallbacks: Set<MilterCallback> { [.helo, .envelopeFrom] }
            func helo(_ name: String, context: any MilterContext) throws -> MilterResponse {
                .reject(try SMTPReply(code: 550, enhancedCode: "5.7.1", "go away"))
            }
            func envelopeFrom(_ sender: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
                .continue
            }
        }
        let connection = TestConnection(handler: HeloRejecter())
        #expect(connection.helo("spammer") == .noReply)
        #expect(connection.mailFrom("<a@example.com>") == .noReply)
        connection.abort()
        #expect(connection.endOfMessage() == .reject)
        #expect(connection.context.reply == (try SMTPReply(code: 550, enhancedCode: "5.7.1", "go away")))
    }
}
