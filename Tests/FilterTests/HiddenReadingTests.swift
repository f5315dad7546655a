import Foundation
import Milter
import MilterTesting
import Testing

/// Content that only another reading of the MIME structure shows is scanned and type-checked
/// through the whole pipeline (parser, libmagic, type rules, real libclamav, policy).
@Suite struct HiddenReadingTests {
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\n", with: "\r\n")
    }

    static func attachment(_ bytes: [UInt8], name: String) -> String {
        "Content-Type: application/octet-stream; name=\"\(name)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(base64(bytes))\r\n"
    }

    /// Delivers `body` under `contentType` and returns the answer and the reply's first line.
    static func deliver(contentType: String, body: String) throws -> (ResponseCode?, String) {
        let (service, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let headers = [("From", " a@example.org"), ("Subject", " minutes"), ("MIME-Version", " 1.0"), ("Content-Type", " \(contentType)")]
        let (connection, code) = ScanSessionTests.deliver(service, headers: headers, body: body)
        return (code, connection.context.reply?.lines.first ?? "")
    }

    /// Under the first `boundary` parameter the message is one harmless text part; under the
    /// second (what some clients use, CVE-2024-28054) it carries `hidden`.
    static func twoBoundaries(hiding hidden: String) -> String {
        "--first\r\nContent-Type: text/plain\r\n\r\nThe minutes are below.\r\n--second\r\n\(hidden)--second--\r\n--first--\r\n"
    }

    @Test func aProgramVisibleOnlyUnderTheSecondBoundaryParameterIsBanned() throws {
        let body = Self.twoBoundaries(hiding: Self.attachment(ScanSessionTests.peExecutable, name: "minutes.dat"))
        let (code, reply) = try Self.deliver(contentType: "multipart/mixed; boundary=\"first\"; boundary=\"second\"", body: body)
        #expect(code == .reject)
        #expect(reply.contains("banned-type:pe-executable"), "\(reply)")
    }

    @Test func eicarVisibleOnlyUnderTheSecondBoundaryParameterIsFound() throws {
        let body = Self.twoBoundaries(hiding: Self.attachment(Array(ScanSessionTests.eicar.utf8), name: "notes.txt"))
        let (code, reply) = try Self.deliver(contentType: "multipart/mixed; boundary=\"first\"; boundary=\"second\"", body: body)
        #expect(code == .reject)
        #expect(reply.contains("Test.EICAR"), "\(reply)")
    }

    @Test(arguments: ["preamble", "epilogue"])
    func aProgramWithAHeaderInThePreambleOrEpilogueIsBanned(place: String) throws {
        let hidden = Self.attachment(ScanSessionTests.peExecutable, name: "minutes.dat")
        let part = "--b1\r\nContent-Type: text/plain\r\n\r\nThe minutes are attached.\r\n--b1--\r\n"
        let body = place == "preamble" ? hidden + part : part + hidden
        let (code, reply) = try Self.deliver(contentType: "multipart/mixed; boundary=\"b1\"", body: body)
        #expect(code == .reject)
        #expect(reply.contains("banned-type:pe-executable"), "\(reply)")
    }

    @Test func theSameMessagesWithoutTheHiddenProgramAreDelivered() throws {
        let text = Self.attachment(Array("Just the minutes.\r\n".utf8), name: "minutes.txt")
        let (twoCode, _) = try Self.deliver(
            contentType: "multipart/mixed; boundary=\"first\"; boundary=\"second\"", body: Self.twoBoundaries(hiding: text))
        #expect(twoCode == .continue)
        let (epilogueCode, _) = try Self.deliver(
            contentType: "multipart/mixed; boundary=\"b1\"", body: "--b1\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b1--\r\n" + text)
        #expect(epilogueCode == .continue)
    }
}
