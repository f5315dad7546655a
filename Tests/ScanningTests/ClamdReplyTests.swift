@testable import Scanning
import Foundation
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
        #expect(ClamdVersion(reply: "ClamAV 1.4.6/27450/Tue Nov 24 09:12:00 2026")?.description
            == "ClamAV 1.4.6, daily 27450 (Tue Nov 24 09:12:00 2026), via clamd")
        #expect(ClamdVersion(reply: "ClamAV 1.4.6")?.description == "ClamAV 1.4.6, via clamd")
    }

    @Test func theVersionReplyGivesTheSignatureVersionAndBuildTime() throws {
        let version = try #require(ClamdVersion(reply: "ClamAV 1.4.6/27480/Mon Dec  1 09:25:02 2025"))
        #expect(version.engine == "1.4.6")
        #expect(version.signatureVersion == 27480)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let built = try #require(version.buildTime)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: built)
        #expect([parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second] == [2025, 12, 1, 9, 25, 2])
        // Unsigned databases alone: the engine, and nothing to judge the signatures' age by.
        let unsigned = try #require(ClamdVersion(reply: "ClamAV 1.4.6"))
        #expect(unsigned.signatureVersion == nil && unsigned.buildTime == nil)
        #expect(ClamdVersion(reply: "UNKNOWN COMMAND") == nil)
    }
}
