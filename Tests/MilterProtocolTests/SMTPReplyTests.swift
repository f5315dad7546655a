import MilterProtocol
import Testing

@Suite("SMTP replies")
struct SMTPReplyTests {
    @Test func validRepliesKeepTheirLiteralText() throws {
        let reply = try SMTPReply(code: 451, enhancedCode: "4.7.1", lines: ["try", "later, 100% sure"])
        #expect(reply.lines == ["try", "later, 100% sure"])
        #expect(reply.isTemporary && !reply.isPermanent && !reply.isPositive)
        #expect(try SMTPReply(code: 550, "no").enhancedCode == nil)
        #expect(try SMTPReply(code: 250, enhancedCode: "2.0.0", "Ok").isPositive)
    }

    @Test func aPercentSignIsEscapedForLibmilterNotRefused() throws {
        let reply = try SMTPReply(code: 550, enhancedCode: "5.7.1", lines: ["100% sure: Eicar", "%v %% %"])
        #expect(reply.escapedLines == ["100%% sure: Eicar", "%%v %%%% %%"])
        #expect(reply.milterText == "550-5.7.1 100%% sure: Eicar\r\n550 5.7.1 %%v %%%% %%")
    }

    @Test func milterTextIsReadBackAsTheMTAReadsIt() throws {
        let sent = try SMTPReply(code: 550, enhancedCode: "5.7.1", lines: ["first 100%", "last"])
        #expect(try SMTPReply(milterText: sent.milterText) == sent)
        // Postfix's milter8.c: `%x` reads as `x`, so a lone `%` (which libmilter's callers must
        // not send) disappears rather than failing the reply.
        #expect(try SMTPReply(milterText: "451 4.7.1 50%off").lines == ["50off"])
        #expect(try SMTPReply(milterText: "451 try later") == (try SMTPReply(code: 451, "try later")))
    }

    @Test func replyLinesParseWithAndWithoutEnhancedCodes() throws {
        let ehlo = try SMTPReply(replyLines: ["250-mx.example", "250-SIZE 10240000", "250 8BITMIME"])
        #expect(ehlo.code == 250 && ehlo.enhancedCode == nil)
        #expect(ehlo.lines == ["mx.example", "SIZE 10240000", "8BITMIME"])
        let queued = try SMTPReply(replyLines: ["250 2.0.0 Ok: queued as TEST1"])
        #expect(queued.description == "250 2.0.0 Ok: queued as TEST1")
        #expect(queued.replyLines == ["250 2.0.0 Ok: queued as TEST1"])
    }

    @Test(arguments: [
        ["250-a", "550 b"],
        ["hello"],
        ["25"],
        ["550+5.7.1 no"],
    ])
    func malformedReplyLinesAreRefused(lines: [String]) {
        #expect(throws: SMTPReplyError.self) { try SMTPReply(replyLines: lines) }
    }

    @Test func milterLimitsAreCheckedBeforeSending() throws {
        let many = try SMTPReply(code: 550, lines: Array(repeating: "x", count: 33))
        #expect(throws: SMTPReplyError("33 lines; libmilter sends at most 32")) { try many.checkSendableByMilter() }
        try SMTPReply(code: 550, lines: Array(repeating: "x", count: 32)).checkSendableByMilter()
        #expect(throws: SMTPReplyError.self) { try SMTPReply(code: 250, "ok").checkSendableByMilter() }
    }

    @Test func escapingCountsTowardsTheLineLimit() throws {
        // 486 percent signs are 972 bytes escaped; with "550 5.7.1 " that is 982, over 980.
        let percents = String(repeating: "%", count: 486)
        #expect {
            try SMTPReply(code: 550, enhancedCode: "5.7.1", lines: ["ok", percents])
        } throws: { error in
            guard let error = error as? SMTPReplyError else { return false }
            return error.reason.contains("line 2") && error.reason.contains("980")
        }
        _ = try SMTPReply(code: 550, enhancedCode: "5.7.1", lines: [String(repeating: "%", count: 485)])
    }

    @Test func fittingCutsLongTextAtTheLimitCountingEscapes() throws {
        let short = try SMTPReply(code: 550, enhancedCode: "5.7.1", fitting: "100% sure")
        #expect(short.lines == ["100% sure"])
        let long = try SMTPReply(code: 550, enhancedCode: "5.7.1", fitting: String(repeating: "%€", count: 400))
        let line = try #require(long.lines.first)
        #expect(line.hasSuffix("...") && line.count < 800)
        #expect(long.escapedLines[0].utf8.count + "550 5.7.1 ".utf8.count <= SMTPReply.maximumLineLength)
        #expect(throws: SMTPReplyError.self) { try SMTPReply(code: 550, fitting: "a\nb") }
    }

    @Test(arguments: [
        (199, "2.0.0", ["ok"], "not a 2xx to 5xx"),
        (600, nil, ["x"], "not a 2xx to 5xx"),
        (550, "4.7.1", ["mismatch"], "enhanced code"),
        (550, "5.7", ["short"], "enhanced code"),
        (550, "5.7.1234", ["long"], "enhanced code"),
        (550, "5.7.1", [], "at least one line"),
        (550, "5.7.1", ["a\r\nb"], "CR, LF or NUL"),
        (550, "5.7.1", ["a\u{0}b"], "CR, LF or NUL"),
    ] as [(Int, String?, [String], String)])
    func badRepliesAreRefusedWithTheReason(code: Int, enhanced: String?, lines: [String], reason: String) {
        #expect {
            try SMTPReply(code: code, enhancedCode: enhanced, lines: lines)
        } throws: { error in
            (error as? SMTPReplyError)?.reason.contains(reason) == true
        }
    }
}
