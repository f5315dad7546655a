import Milter
import MilterTesting
import Testing

@Suite("Handler actions through MilterTesting")
struct HandlerActionTests {
    @Test func everyActionAtEndOfMessageIsRecordedInOrder() throws {
        let reply = try SMTPReply(code: 550, enhancedCode: "5.7.1", lines: ["first", "second"])
        let connection = TestConnection(handler: EndOfMessageOnly { context in
            try context.addHeader("X-Added", value: "yes")
            try context.insertHeader("X-Top", value: "top", at: 0)
            try context.changeHeader("Subject", index: 1, value: "changed")
            try context.deleteHeader("X-Old", index: 2)
            try context.addRecipient("<plain@example.com>")
            try context.addRecipient("<par@example.com>", parameters: ["NOTIFY=NEVER"])
            try context.deleteRecipient("<gone@example.com>")
            try context.changeFrom("<new@example.com>", parameters: ["SIZE=10"])
            try context.replaceBody("new ")
            try context.replaceBody([0x62, 0x6F, 0x64, 0x79])
            try context.quarantine(reason: "suspicious")
            try context.progress()
            return .reject(reply)
        })
        #expect(connection.endOfMessage() == .reject)
        let context = connection.context
        #expect(context.addedHeaders == [MilterHeader(name: "X-Added", value: "yes")])
        #expect(context.insertedHeaders == [HeaderEdit(name: "X-Top", index: 0, value: "top")])
        #expect(context.changedHeaders == [HeaderEdit(name: "Subject", index: 1, value: "changed"),
                                           HeaderEdit(name: "X-Old", index: 2, value: "")])
        #expect(context.addedRecipients == [EnvelopeAddress("<plain@example.com>"),
                                            EnvelopeAddress("<par@example.com>", ["NOTIFY=NEVER"])])
        #expect(context.deletedRecipients == ["<gone@example.com>"])
        #expect(context.changedFrom == EnvelopeAddress("<new@example.com>", ["SIZE=10"]))
        #expect(context.replacedBody == Array("new body".utf8))
        #expect(context.quarantineReason == "suspicious")
        #expect(context.progressCount == 1)
        #expect(context.reply == reply)
        #expect(context.actions.last == .setReply(reply))
        #expect(context.actions.map(\.function) == [
            "smfi_addheader", "smfi_insheader", "smfi_chgheader", "smfi_chgheader", "smfi_addrcpt",
            "smfi_addrcpt_par", "smfi_delrcpt", "smfi_chgfrom", "smfi_replacebody", "smfi_replacebody",
            "smfi_quarantine", "smfi_progress", "smfi_setmlreply",
        ])
    }

    @Test(arguments: [
        (ActionFlags.addHeaders, "smfi_addheader"),
        (.changeHeaders, "smfi_chgheader"),
        (.addRecipients, "smfi_addrcpt"),
        (.addRecipientsWithParameters, "smfi_addrcpt_par"),
        (.deleteRecipients, "smfi_delrcpt"),
        (.changeBody, "smfi_replacebody"),
        (.changeFrom, "smfi_chgfrom"),
        (.quarantine, "smfi_quarantine"),
    ])
    func actionNotNegotiatedIsRefusedAndNotRecorded(flag: ActionFlags, function: String) {
        var thrown: (any Error)?
        let offer = NegotiationOffer(actions: ActionFlags.all.subtracting(flag), steps: .all)
        let connection = TestConnection(handler: EndOfMessageOnly { context in
            do {
                switch function {
                case "smfi_addheader": try context.addHeader("X-A", value: "v")
                case "smfi_chgheader": try context.changeHeader("X-A", value: "v")
                case "smfi_addrcpt": try context.addRecipient("<a@example.com>")
                case "smfi_addrcpt_par": try context.addRecipient("<a@example.com>", parameters: ["NOTIFY=NEVER"])
                case "smfi_delrcpt": try context.deleteRecipient("<a@example.com>")
                case "smfi_replacebody": try context.replaceBody("x")
                case "smfi_chgfrom": try context.changeFrom("<a@example.com>")
                default: try context.quarantine(reason: "r")
                }
            } catch {
                thrown = error
                throw error
            }
            return .continue
        }, offer: offer)
        #expect(connection.endOfMessage() == .tempfail)
        #expect(thrown as? MilterError == .actionNotNegotiated(function: function, flag: flag))
        #expect(connection.context.actionsBesideTheReply.isEmpty)
    }

    @Test func handlerThatDeclinesAnActionCannotUseIt() {
        final class HeadersOnly: MilterHandler {
            var actions: ActionFlags { [.addHeaders] }
            func endOfMessage(context: any MilterContext) throws -> MilterResponse {
                try context.quarantine(reason: "no")
                return .continue
            }
        }
        let connection = TestConnection(handler: HeadersOnly())
        #expect(connection.endOfMessage() == .tempfail)
        #expect(connection.context.quarantineReason == nil)
    }

    @Test func messageActionsOutsideEndOfMessageAreRefused() {
        final class EarlyActor: MilterHandler {
            var implementedCallbacks: Set<MilterCallback> { [.header] }
            var error: MilterError?
            func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
                do {
                    try context.addHeader("X-Early", value: "no")
                } catch {
                    self.error = error
                }
                return .continue
            }
        }
        let handler = EarlyActor()
        let connection = TestConnection(handler: handler)
        connection.header("Subject", "hi")
        #expect(handler.error == .notAllowedHere(function: "smfi_addheader", callback: .header))
        #expect(connection.context.actions.isEmpty)
    }

    @Test func callbacksReceiveDecodedArguments() {
        let handler = Recorder()
        let connection = TestConnection(handler: handler)
        connection.setMacros(["i": "4XYZ"], for: .endOfMessage)
        connection.connect(hostname: "mx.example", address: .inet6(address: "2001:db8::1", port: 2525))
        connection.helo("client.example")
        connection.mailFrom("<a@example.com>", parameters: ["size=100", "BODY=8BITMIME", "SMTPUTF8"])
        connection.rcptTo("<b@example.com>")
        connection.data()
        connection.header("Subject", "hello")
        connection.endOfHeaders()
        connection.body("line\r\n")
        connection.endOfMessage()
        connection.close()
        #expect(handler.seen == [.connect, .helo, .envelopeFrom, .envelopeRecipient, .data, .header,
                                 .endOfHeaders, .body, .endOfMessage, .close])
        #expect(handler.connectedFrom?.0 == "mx.example")
        #expect(handler.connectedFrom?.1 == .inet6(address: "2001:db8::1", port: 2525))
        #expect(handler.sender?.0 == "<a@example.com>")
        #expect(handler.sender?.1["SIZE"] == "100")
        #expect(handler.sender?.1.dictionary == ["SIZE": "100", "BODY": "8BITMIME", "SMTPUTF8": nil])
        #expect(handler.sender?.1["NOTIFY"] == nil)
        #expect(handler.recipients.map(\.0) == ["<b@example.com>"])
        #expect(handler.bodyBytes == Array("line\r\n".utf8))
        #expect(handler.macroAtEndOfMessage == "4XYZ")
    }

    @Test func macrosFollowLibmilterLookupAndMessageScope() {
        let connection = TestConnection(handler: EndOfMessageOnly { context in
            try context.addHeader("X-Queue", value: context.macro("{i}") ?? "none")
            try context.addHeader("X-Host", value: context.macro("j") ?? "none")
            return .continue
        })
        connection.setMacros(["j": "mx.example"], for: .connect)
        connection.setMacros(["{i}": "Q1"], for: .endOfMessage)
        connection.connect()
        connection.endOfMessage()
        connection.endOfMessage()
        #expect(connection.context.addedHeaders.map(\.value) == ["Q1", "mx.example", "none", "mx.example"])
    }

    @Test func headerValuesKeepNulAnd8BitBytes() {
        let handler = Recorder()
        let connection = TestConnection(handler: handler)
        let raw: [UInt8] = [0x66, 0xE9, 0xFF, 0x00, 0x41]
        connection.header("X-Latin1", valueBytes: raw)
        #expect(handler.headers.first?.valueBytes == raw)
        #expect(handler.headers.first?.value == "f\u{FFFD}\u{FFFD}\u{0}A")
    }

    @Test func nulInAnOutgoingHeaderValueIsAClearError() {
        var thrown: MilterError?
        let connection = TestConnection(handler: EndOfMessageOnly { context in
            do {
                try context.addHeader("X-Bad", value: "a\u{0}b")
            } catch {
                thrown = error as? MilterError
            }
            try context.addHeader("X-Utf8", value: "héllo ✓")
            return .continue
        })
        #expect(connection.endOfMessage() == .continue)
        #expect(thrown == .invalidArgument(function: "smfi_addheader",
                                           reason: "header value contains a NUL byte, which C strings cannot carry"))
        #expect(connection.context.addedHeaders == [MilterHeader(name: "X-Utf8", value: "héllo ✓")])
    }

    @Test(arguments: ["", "Bad Name", "Colon:", "Tab\t"])
    func malformedHeaderNamesAreRefused(name: String) {
        let connection = TestConnection(handler: EndOfMessageOnly { context in
            try context.addHeader(name, value: "v")
            return .continue
        })
        #expect(connection.endOfMessage() == .tempfail)
        #expect(connection.context.actionsBesideTheReply.isEmpty)
    }
}
