import Milter
import Testing

@Suite("SMTP replies")
struct SMTPReplyTests {
    @Test func validRepliesAreKept() throws {
        let reply = try SMTPReply(code: "451", extendedCode: "4.7.1", lines: ["try", "later 100%%"])
        #expect(reply.lines == ["try", "later 100%%"])
        #expect(try SMTPReply(code: "550", "no").extendedCode == nil)
        #expect(try SMTPReply(code: "550", lines: Array(repeating: "x", count: 32)).lines.count == 32)
    }

    @Test func moreThan32LinesIsAClearError() {
        #expect(throws: MilterError.invalidReply(reason: "33 lines; libmilter sends at most 32")) {
            try SMTPReply(code: "550", extendedCode: "5.7.1", lines: Array(repeating: "x", count: 33))
        }
    }

    @Test func oversizedLineIsAClearError() {
        let line = String(repeating: "a", count: 975)
        #expect {
            try SMTPReply(code: "550", extendedCode: "5.7.1", lines: ["ok", line])
        } throws: { error in
            guard case .invalidReply(let reason) = error as? MilterError else { return false }
            return reason.contains("line 2") && reason.contains("980")
        }
    }

    @Test(arguments: [
        ("250", "2.0.0", ["ok"], "not a 4xx or 5xx"),
        ("55", nil, ["short"], "not a 4xx or 5xx"),
        ("550", "4.7.1", ["mismatch"], "enhanced code"),
        ("550", "5.7", ["short"], "enhanced code"),
        ("550", "5.7.1", [], "at least one line"),
        ("550", "5.7.1", ["a\r\nb"], "CR, LF or NUL"),
        ("550", "5.7.1", ["100% sure"], "single '%'"),
    ])
    func badRepliesAreRefused(code: String, extended: String?, lines: [String], reason: String) {
        #expect {
            try SMTPReply(code: code, extendedCode: extended, lines: lines)
        } throws: { error in
            guard case .invalidReply(let why) = error as? MilterError else { return false }
            return why.contains(reason)
        }
    }
}
