@testable import MilterClient
import Testing

@Suite("Packet decoding")
struct PacketDecodingTests {
    private func decode(_ letter: Character, _ payload: [UInt8] = []) throws -> DecodedResponse {
        try MilterPacket(command: UInt8(ascii: letter.unicodeScalars.first ?? "?"), payload: payload).decodeResponse()
    }

    @Test(arguments: [
        ("c", MilterResponse.continue), ("a", .accept), ("r", .reject), ("t", .tempfail),
        ("d", .discard), ("s", .skip), ("f", .connectionFailure), ("4", .shutdown),
    ] as [(Character, MilterResponse)])
    func simpleResponsesDecodeToTheirValue(letter: Character, expected: MilterResponse) throws {
        #expect(try decode(letter) == .response(expected))
    }

    @Test func modificationsDecodeWithTheirArguments() throws {
        #expect(try decode("h", cString("X-A") + cString("1")) == .modification(.addHeader(name: "X-A", value: "1")))
        #expect(try decode("i", uint32(2) + cString("X-B") + cString("v"))
            == .modification(.insertHeader(index: 2, name: "X-B", value: "v")))
        #expect(try decode("m", uint32(1) + cString("Subject") + cString(""))
            == .modification(.changeHeader(name: "Subject", index: 1, value: "")))
        #expect(try decode("+", cString("<a@b>")) == .modification(.addRecipient("<a@b>", parameters: nil)))
        #expect(try decode("2", cString("<a@b>") + cString("NOTIFY=NEVER"))
            == .modification(.addRecipient("<a@b>", parameters: "NOTIFY=NEVER")))
        #expect(try decode("-", cString("<c@d>")) == .modification(.deleteRecipient("<c@d>")))
        #expect(try decode("e", cString("<s@x>")) == .modification(.changeFrom("<s@x>", parameters: nil)))
        #expect(try decode("e", cString("<s@x>") + cString("SIZE=10"))
            == .modification(.changeFrom("<s@x>", parameters: "SIZE=10")))
        #expect(try decode("q", cString("held")) == .modification(.quarantine(reason: "held")))
        #expect(try decode("b", [1, 0, 2]) == .replaceBodyChunk([1, 0, 2]))
        #expect(try decode("p") == .progress)
    }

    @Test func multiLineReplyKeepsEveryLineAndParsesCodes() throws {
        let text = "550-5.7.1 first line\r\n550-5.7.1 second\r\n550 5.7.1 last"
        guard case .response(.replyCode(let reply)) = try decode("y", cString(text)) else {
            Issue.record("not a reply code")
            return
        }
        #expect(reply.milterText == text)
        #expect(reply.code == 550)
        #expect(reply.enhancedCode == "5.7.1")
        #expect(reply.lines == ["first line", "second", "last"])
        #expect(reply.isPermanent)
    }

    @Test func replyWithoutEnhancedCodeStillParses() throws {
        let reply = try SMTPReply(milterText: "451 try later")
        #expect(reply.code == 451)
        #expect(reply.enhancedCode == nil)
        #expect(reply.lines == ["try later"])
        #expect(reply.isTemporary)
    }

    @Test func escapedPercentInAReplyReadsAsOnePercent() throws {
        guard case .response(.replyCode(let reply)) = try decode("y", cString("550 5.7.1 100%% sure")) else {
            Issue.record("not a reply code")
            return
        }
        #expect(reply.lines == ["100% sure"])
    }

    @Test func malformedReplyTextIsAProtocolError() {
        #expect {
            try decode("y", cString("550-5.7.1 a\r\n451 b"))
        } throws: { error in
            (error as? MilterClientError)?.code == .invalidReply
        }
    }

    @Test func negotiationReplyCarriesRequestedMacroLists() throws {
        let payload = uint32(6) + uint32(0x21) + uint32(0x10_0001) + uint32(5) + cString("i {mail_addr}") + uint32(0) + cString("j")
        guard case .negotiation(let answer) = try decode("O", payload) else {
            Issue.record("not a negotiation")
            return
        }
        #expect(answer.actions == [.addHeaders, .quarantine])
        #expect(answer.steps == [.noConnect, .headerLeadingSpace])
        #expect(answer.requestedMacros == [.endOfMessage: ["i", "{mail_addr}"], .connect: ["j"]])
    }

    @Test func unknownLetterIsAnUnknownResponseError() {
        #expect(throws: MilterClientError(.unknownResponse, "the milter sent response 'Z', which the milter protocol does not define")) {
            try decode("Z")
        }
    }

    @Test(arguments: [
        ("i", [0, 0] as [UInt8]),
        ("m", uint32(1) + cString("Subject")),
        ("h", Array("X-No-Nul".utf8)),
        ("y", Array("550 5.7.1 no terminator".utf8)),
        ("O", uint32(6) + uint32(1)),
    ] as [(Character, [UInt8])])
    func shortPayloadIsATruncatedPacketError(letter: Character, payload: [UInt8]) {
        do {
            _ = try decode(letter, payload)
            Issue.record("decoded a truncated \(letter) packet")
        } catch let error as MilterClientError {
            #expect(error.code == .truncatedPacket)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func macroListForAnUnknownStageIsRefused() {
        let payload = uint32(6) + uint32(0) + uint32(0) + uint32(9) + cString("i")
        #expect(throws: MilterClientError.self) { try decode("O", payload) }
    }
}
