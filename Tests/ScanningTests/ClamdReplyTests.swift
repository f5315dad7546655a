@testable import Scanning
import Testing

/// clamd's reply strings (as listed in clamd(8) and clamd's own sources) and what each means.
@Suite struct ClamdReplyTests {
    func verdict(_ reply: String) throws(ClamdError) -> ScanVerdict {
        try ClamdReply.verdict(reply, endpoint: "test")
    }

    @Test func okIsCleanAndFoundNamesTheSignature() throws {
        #expect(try verdict("stream: OK") == .clean)
        #expect(try verdict("stream: Eicar-Test-Signature FOUND") == .infected(["Eicar-Test-Signature"]))
        // In an IDSESSION, replies carry the request number first.
        #expect(try verdict("7: stream: OK") == .clean)
        #expect(try verdict("7: stream: Win.Test.EICAR_HDB-1 FOUND") == .infected(["Win.Test.EICAR_HDB-1"]))
    }

    @Test func theStreamSizeLimitIsUnscannableForALimit() throws {
        guard case .unscannable(let reason) = try verdict("INSTREAM size limit exceeded. ERROR") else {
            Issue.record("size limit not unscannable")
            return
        }
        #expect(reason.code == .limitExceeded)
    }

    @Test func aScanErrorOnTheStreamIsUnscannableForTheEngine() throws {
        guard case .unscannable(let reason) = try verdict("stream: Can't allocate memory ERROR") else {
            Issue.record("engine error not unscannable")
            return
        }
        #expect(reason.code == .engineError && reason.detail.contains("allocate"))
    }

    @Test(arguments: ["cli_gentempfd() failed. ERROR", "Temporary file -> write ERROR", "read timeout ERROR"])
    func theServersOwnErrorsAreServerFailuresToRetryElsewhere(_ reply: String) {
        do {
            _ = try verdict(reply)
            Issue.record("\(reply) gave a verdict")
        } catch {
            #expect(error.code == .serverError)
        }
    }

    @Test(arguments: ["COMMAND READ TIMED OUT", "UNKNOWN COMMAND", "PONG", ""])
    func anythingElseIsAProtocolViolation(_ reply: String) {
        do {
            _ = try verdict(reply)
            Issue.record("\(reply) gave a verdict")
        } catch {
            #expect(error.code == .protocolViolation)
        }
    }

    @Test func theVersionReplyBecomesADatabaseDescription() {
        #expect(ClamdReply.databaseDescription(fromVersion: "ClamAV 1.4.6/27450/Tue Nov 24 09:12:00 2026")
            == "ClamAV 1.4.6, daily 27450 (Tue Nov 24 09:12:00 2026), via clamd")
        #expect(ClamdReply.databaseDescription(fromVersion: "ClamAV 1.4.6") == "ClamAV 1.4.6, via clamd")
    }
}
