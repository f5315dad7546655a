import Milter
import MilterTesting
import Testing

@Suite("Decoded values")
struct ValueTypeTests {
    @Test func esmtpParametersAreLookedUpByNameInAnyCase() {
        let parameters = ESMTPParameters(parsing: "  SIZE=1000 body=8BITMIME  SMTPUTF8 ORCPT=rfc822;a=b@example.com ")
        #expect(parameters.raw == ["SIZE=1000", "body=8BITMIME", "SMTPUTF8", "ORCPT=rfc822;a=b@example.com"])
        #expect(parameters["size"] == "1000")
        #expect(parameters["BODY"] == "8BITMIME")
        #expect(parameters["smtputf8"] == .some(nil))
        #expect(parameters.contains("SMTPUTF8") && !parameters.contains("RET"))
        #expect(parameters["ORCPT"] == "rfc822;a=b@example.com")
        #expect(parameters["RET"] == nil)
        #expect(parameters.description == "SIZE=1000 body=8BITMIME SMTPUTF8 ORCPT=rfc822;a=b@example.com")
    }

    @Test func peerAddressesNameTheirFamily() {
        #expect(PeerAddress.inet(address: "192.0.2.1", port: 25).family == "AF_INET")
        #expect(PeerAddress.inet6(address: "2001:db8::1", port: 25).description == "[2001:db8::1]:25")
        #expect(PeerAddress.unix(path: "/run/x").family == "AF_UNIX")
    }

    @Test func lowLevelCallbacksRegisterOnlyWhatIsSet() throws {
        var callbacks = MilterCallbacks<Int> { _ in 0 }
        #expect(callbacks.registered == [.close])
        callbacks.endOfMessage = { count, _ in
            count += 1
            return .continue
        }
        callbacks.body = { _, chunk, _ in chunk.byteCount > 0 ? .continue : .skip }
        #expect(callbacks.registered == [.close, .endOfMessage, .body])
        let handlerCallbacks = try MilterCallbacks<any MilterHandler>.handler { EndOfMessageOnly() }
        #expect(handlerCallbacks.registered == Set(MilterCallback.allCases))
    }

    @Test func handlerCallbacksRefuseAnUndeclaredCallbackAndAFailingFactory() {
        #expect(throws: MilterError.undeclaredCallbacks(handler: "ForgotToDeclare", callbacks: [.header])) {
            try MilterCallbacks<any MilterHandler>.handler { DeclarationTests.ForgotToDeclare() }
        }
        struct Broken: Error {}
        #expect(throws: MilterError.self) { try MilterCallbacks<any MilterHandler>.handler { throw Broken() } }
    }

    @Test func skipOutsideTheBodyBecomesContinue() {
        final class SkipEverywhere: MilterHandler {
            var implementedCallbacks: Set<MilterCallback> { [.header] }
            func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse { .skip }
        }
        let connection = TestConnection(handler: SkipEverywhere())
        #expect(connection.header("Subject", "x") == .continue)
    }

    @Test func rejectWithAReplySetsItThroughTheContext() throws {
        let reply = try SMTPReply(code: 550, enhancedCode: "5.7.1", "no")
        let connection = TestConnection(handler: EndOfMessageOnly { _ in .reject(reply) })
        #expect(connection.endOfMessage() == .reject)
        #expect(connection.context.actions == [.setReply(reply)])
    }
}

@Suite("SMTP replies in pymilter's spelling")
struct PymilterReplyTests {
    @Test func textCodesMakeTheSameReplyAsNumbers() throws {
        #expect(try SMTPReply(code: "550", extendedCode: "5.7.1", "100% sure")
            == (try SMTPReply(code: 550, enhancedCode: "5.7.1", "100% sure")))
        #expect(throws: SMTPReplyError.self) { try SMTPReply(code: "5a0", "no") }
        #expect(throws: SMTPReplyError.self) { try SMTPReply(code: "+55", "no") }
    }
}
