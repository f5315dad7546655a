import Milter
import MilterTesting
import Testing

@Suite("Exception policy and connection lifetime")
struct ExceptionPolicyTests {
    struct Boom: Error {}

    @Test func throwingCallbackAnswersTempfailByDefault() {
        let connection = TestConnection(handler: EndOfMessageOnly { _ in throw Boom() })
        #expect(connection.endOfMessage() == .tempfail)
        #expect(ExceptionPolicy.allCases.count == 4)
    }

    @Test(arguments: [
        (ExceptionPolicy.continue, ResponseCode.continue),
        (.reject, .reject),
        (.accept, .accept),
        (.tempfail, .tempfail),
    ])
    func throwingCallbackAnswersThePolicy(policy: ExceptionPolicy, expected: ResponseCode) {
        let connection = TestConnection(handler: EndOfMessageOnly { _ in throw Boom() }, exceptionPolicy: policy)
        #expect(connection.endOfMessage() == expected)
        #expect(connection.responses == [StepResponse(callback: .endOfMessage, code: expected)])
    }

    @Test func failureOnANoReplyStepIsAnsweredAtTheNextStepWithAReply() {
        let handler = Recorder(noReply: [.header])
        handler.failIn = .header
        let connection = TestConnection(handler: handler)
        #expect(connection.header("Subject", "x") == .noReply)
        #expect(connection.endOfHeaders() == .tempfail)
        #expect(connection.endOfMessage() == .continue)
    }

    @Test func abortClearsAnOwedPolicyAnswer() {
        let handler = Recorder(noReply: [.header])
        handler.failIn = .header
        let connection = TestConnection(handler: handler)
        connection.header("Subject", "x")
        connection.abort()
        #expect(connection.mailFrom("<a@example.com>") == .continue)
    }

    @Test func invalidReplyInAResponseGetsThePolicy() throws {
        // A 2xx reply is a valid SMTP reply but not one a milter can send: setting it fails
        // before anything reaches the MTA, and the exception policy answers.
        let connection = TestConnection(handler: EndOfMessageOnly { _ in
            .reject(try SMTPReply(code: 250, lines: ["ok"]))
        }, exceptionPolicy: .accept)
        #expect(connection.endOfMessage() == .accept)
    }

    @Test func closeBeforeConnectMakesNoHandler() {
        var made = 0
        let connection = TestConnection(factory: {
            made += 1
            return Recorder()
        })
        #expect(connection.close() == nil)
        #expect(made == 0)
        #expect(connection.responses.isEmpty)
    }

    @Test func closeAfterStepsReachesTheHandlerOnce() {
        let handler = Recorder()
        let connection = TestConnection(handler: handler)
        connection.connect()
        #expect(connection.close() == .continue)
        #expect(connection.close() == nil)
        #expect(handler.seen == [.connect, .close])
    }

    @Test func factoryFailureAnswersThePolicyWithItsReply() throws {
        let connection = TestConnection(exceptionPolicy: .reject, milterName: "mine", factory: { throw Boom() })
        #expect(connection.connect() == .reject)
        #expect(connection.context.reply == (try SMTPReply(code: 554, enhancedCode: "5.3.0", "mine: untrapped exception in connect")))
    }

    @Test func noReplyAnswerWhereTheMTAWaitsBecomesContinue() {
        let connection = TestConnection(handler: EndOfMessageOnly { _ in .noReply })
        #expect(connection.endOfMessage() == .continue)
    }
}

@Suite("No-reply steps")
struct NoReplyStepTests {
    final class RejectingHeaders: MilterHandler {
        var implementedCallbacks: Set<MilterCallback> { [.header, .body] }
        var noReplyCallbacks: Set<MilterCallback> { [.header] }
        var bodyCalls = 0
        func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
            header.name == "X-Bad" ? .reject(try SMTPReply(code: 550, enhancedCode: "5.7.1", "bad header")) : .continue
        }
        func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse {
            bodyCalls += 1
            return .continue
        }
    }

    @Test func rejectOnANoReplyStepIsGivenAtTheNextStepWithAReply() throws {
        let handler = RejectingHeaders()
        let connection = TestConnection(handler: handler)
        #expect(connection.header("Subject", "fine") == .noReply)
        #expect(connection.header("X-Bad", "x") == .noReply)
        #expect(connection.body("chunk") == .reject)
        #expect(handler.bodyCalls == 0)
        #expect(connection.context.reply == (try SMTPReply(code: 550, enhancedCode: "5.7.1", "bad header")))
        #expect(connection.endOfMessage() == .continue)
    }
}
