import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Milter
import MilterTesting
import Quarantine
import Testing

/// The scanning session driven through MilterTesting's scripted connection: no libmilter, no
/// socket, but the real pipeline (real libclamav with a generated signature, real libmagic).
@Suite struct ScanSessionTests {
    static let eicar = #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#

    /// A service over a fresh temp dir with a one-line EICAR signature; `edit` adjusts the config.
    static func service(_ edit: (inout ScanmilterConfig, String) -> Void = { _, _ in }) throws -> (FilterService, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("filter-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: "\(dir)/db", withIntermediateDirectories: true)
        let hex = Array("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8).map { String(format: "%02x", $0) }.joined()
        try "Test.EICAR:0:*:\(hex)\n".write(toFile: "\(dir)/db/test.ndb", atomically: true, encoding: .utf8)
        var config = ScanmilterConfig()
        config.scan.databaseDir = "\(dir)/db"
        config.scan.tempDir = dir
        config.headers.hostname = "mx.test"
        edit(&config, dir)
        return (try FilterService.make(config: config, quarantine: nil, logger: Logger(label: "test")), dir)
    }

    @Test func aMissingTempDirStopsStartupAndSaysWhich() throws {
        #expect {
            _ = try Self.service { config, dir in config.scan.tempDir = "\(dir)/no-such-dir" }
        } throws: { error in
            "\(error)".hasPrefix("[scan] temp_dir: ") && "\(error)".hasSuffix("no-such-dir is not a directory")
        }
    }

    static func deliver(_ service: FilterService, headers: [(String, String)], body: String, client: String = "192.0.2.7") -> (TestConnection, ResponseCode?) {
        let connection = TestConnection { service.makeSession() }
        connection.connect(hostname: "client.test", address: .inet(address: client, port: 2525))
        connection.helo("client.test")
        connection.setMacros(["i": "QID123"], for: .endOfMessage)
        let code = connection.sendMessage(from: "<a@example.org>", to: ["<b@example.net>"], headers: headers, body: body)
        return (connection, code)
    }

    static let multipartHeaders: [(String, String)] = [
        ("From", " a@example.org"), ("Subject", " test"), ("MIME-Version", " 1.0"),
        ("Content-Type", " multipart/mixed; boundary=\"b1\""),
    ]

    static func multipartBody(attachment: String, name: String, type: String = "application/octet-stream") -> String {
        let encoded = Data(attachment.utf8).base64EncodedString()
        return "--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b1\r\nContent-Type: \(type); name=\"\(name)\"\r\n"
            + "Content-Disposition: attachment; filename=\"\(name)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n--b1--\r\n"
    }

    @Test func cleanMailIsTaggedWithBothHeaders() throws {
        let (service, dir) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (connection, code) = Self.deliver(service, headers: [("Subject", " hi")], body: "Hello\r\n")
        #expect(code == .continue)
        let added = connection.context.addedHeaders.map { "\($0.name):\($0.value)" }
        #expect(added.contains("X-Virus-Status: Clean"))
        #expect(added.contains { $0.hasPrefix("X-Virus-Scanned: scanmilter \(FilterService.version) with ") && $0.hasSuffix(" on mx.test") })
    }

    /// A message nested past the parser's depth limit fails the same way on every retry: it is
    /// refused for good (5xx naming the limit), not temp-failed for the sender to retry for days.
    @Test func aMessageNestedPastTheParserLimitIsRejectedNamingTheLimit() throws {
        let (service, dir) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 200 enclosed messages, each one's body the next: far past the parser's depth limit.
        var body = "Subject: innermost\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
        for level in 0..<200 {
            body = "Subject: level \(level)\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n" + body
        }
        let headers: [(String, String)] = [("Subject", " deep"), ("MIME-Version", " 1.0"), ("Content-Type", " message/rfc822")]
        let (connection, code) = Self.deliver(service, headers: headers, body: body)
        #expect(code == .reject)
        #expect(connection.context.reply?.code == 554)
        let text = connection.context.reply?.lines.first ?? ""
        // libclamav's recursion limit or our parser's depth limit, whichever is met first.
        #expect(text.hasPrefix("Message exceeds a scanning limit: "), "\(text)")
        #expect(text.contains("MaxRecursion") || text.contains("MIME NestingTooDeep"), "\(text)")
        #expect(service.metrics.snapshot.messagesByVerdict["unscanned"] == 1)
    }

    @Test func eicarAttachmentIsRejectedNamingTheVirus() throws {
        let (service, dir) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (connection, code) = Self.deliver(service, headers: Self.multipartHeaders, body: Self.multipartBody(attachment: Self.eicar, name: "eicar.com"))
        #expect(code == .reject)
        #expect(connection.context.reply?.code == 550)
        #expect(connection.context.reply?.lines.first?.contains("Test.EICAR") == true)
        #expect(service.metrics.snapshot.messagesByVerdict["infected"] == 1)
    }

    @Test func forgedStatusHeadersAreDeletedLastFirst() throws {
        let (service, dir) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let headers = [("X-Virus-Status", " Clean"), ("Subject", " x"), ("x-virus-status", " Clean"), ("X-Virus-Scanned", " fake")]
        let (connection, code) = Self.deliver(service, headers: headers, body: "body\r\n")
        #expect(code == .continue)
        let deletions = connection.context.changedHeaders.filter { $0.value.isEmpty }
        #expect(deletions.map { "\($0.name.lowercased())#\($0.index)" }.sorted() == ["x-virus-scanned#1", "x-virus-status#1", "x-virus-status#2"])
        let statusDeletes = deletions.filter { $0.name.lowercased() == "x-virus-status" }.map(\.index)
        #expect(statusDeletes == [2, 1])
    }

    @Test func aBodyPastTheLimitIsSkippedAndNeverCalledClean() throws {
        let (service, dir) = try Self.service { config, _ in config.scan.maxMessageSize = 1000 }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let connection = TestConnection { service.makeSession() }
        connection.connect()
        connection.mailFrom("<a@example.org>")
        connection.rcptTo("<b@example.net>")
        connection.header("Subject", " big")
        connection.endOfHeaders()
        #expect(connection.body([UInt8](repeating: UInt8(ascii: "a"), count: 600)) == .continue)
        #expect(connection.body([UInt8](repeating: UInt8(ascii: "b"), count: 600)) == .skip)
        #expect(connection.endOfMessage() == .continue)
        #expect(connection.context.addedHeaders.contains { $0.name == "X-Virus-Status" && $0.value == " Unscanned (size)" })
    }

    @Test func trustedClientsAreAcceptedAtConnectWithoutScanning() throws {
        let (service, dir) = try Self.service { config, _ in config.policy.trustedNetworks = [IPNetwork("10.0.0.0/8")].compactMap { $0 } }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let connection = TestConnection { service.makeSession() }
        #expect(connection.connect(address: .inet(address: "10.9.8.7", port: 1)) == .accept)
        #expect(service.metrics.snapshot.bypassed == 1)
    }

    @Test func aTempFileFailureTempFailsInsteadOfAccepting() throws {
        let (service, dir) = try Self.service { config, dir in
            config.scan.memoryThreshold = 10
            config.scan.tempDir = "\(dir)/spill"
            try? FileManager.default.createDirectory(atPath: "\(dir)/spill", withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The directory was there at startup and is gone now (unmounted, removed by a cleaner).
        try FileManager.default.removeItem(atPath: "\(dir)/spill")
        let (connection, code) = Self.deliver(service, headers: [("Subject", " a subject long enough to spill")], body: "body\r\n")
        #expect(code == .tempfail)
        #expect(connection.context.reply?.code == 451)
        #expect(connection.context.addedHeaders.isEmpty)
    }

    @Test func holdPutsTheMessageInTheMTAsQuarantineWithTheVerdict() throws {
        let (service, dir) = try Self.service { config, _ in config.actions.infected = .hold }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (connection, code) = Self.deliver(service, headers: [("Subject", " x")], body: Self.eicar + "\r\n")
        #expect(code == .continue)
        #expect(connection.context.quarantineReason == "scanmilter: Infected (Test.EICAR.UNOFFICIAL)")
        #expect(connection.context.addedHeaders.contains { $0.name == "X-Virus-Status" && $0.value == " Infected (Test.EICAR.UNOFFICIAL)" })
    }

    @Test func stripReplacesOnlyTheInfectedAttachment() throws {
        let (service, dir) = try Self.service { config, _ in config.actions.infected = .strip }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (connection, code) = Self.deliver(service, headers: Self.multipartHeaders, body: Self.multipartBody(attachment: Self.eicar, name: "eicar.com"))
        #expect(code == .continue)
        let body = String(decoding: connection.context.replacedBody ?? [], as: UTF8.self)
        #expect(body.contains("--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b1\r\n"))
        #expect(body.contains("removed by scanmilter on mx.test"))
        #expect(!body.contains(Data(Self.eicar.utf8).base64EncodedString()))
        #expect(body.hasSuffix("--b1--\r\n"))
    }

    @Test func quarantineWithoutAStoreTempFailsSoNothingIsLost() throws {
        let (service, dir) = try Self.service { config, _ in config.actions.infected = .quarantine }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, code) = Self.deliver(service, headers: [("Subject", " x")], body: Self.eicar + "\r\n")
        #expect(code == .tempfail)
    }

    @Test func quarantineStoresTheWholeMessageWithItsEnvelopeBeforeAnswering() throws {
        let (service, dir) = try Self.service { config, _ in config.actions.infected = .quarantine }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuarantineStore(directory: "\(dir)/quarantine", logger: Logger(label: "test"))
        let quarantining = FilterService(
            config: service.config, pipeline: service.pipeline, scanner: service.scanner, quarantine: store, logger: service.logger)
        let (_, code) = Self.deliver(quarantining, headers: [("Subject", " held for review")], body: Self.eicar + "\r\n")
        #expect(code == .discard)
        let entries = try store.list()
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry.sender.address == "a@example.org")
        #expect(entry.recipients.map(\.address) == ["b@example.net"])
        #expect(entry.subject == "held for review")
        #expect(entry.queueID == "QID123")
        let stored = String(decoding: try store.message(entry.id), as: UTF8.self)
        #expect(stored == "Subject: held for review\r\n\r\n" + Self.eicar + "\r\n")
    }

    @Test func aMessagePastTheParserLimitsIsUnscannedNotClean() throws {
        let (service, dir) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 1,100 nested multiparts: deeper than the parser's depth limit.
        var body = ""
        for level in 0..<1100 { body += "--b\(level)\r\nContent-Type: multipart/mixed; boundary=\"b\(level + 1)\"\r\n\r\n" }
        body += "--b1100\r\nContent-Type: text/plain\r\n\r\ndeep\r\n"
        let headers = [("MIME-Version", " 1.0"), ("Content-Type", " multipart/mixed; boundary=\"b0\"")]
        let (connection, code) = Self.deliver(service, headers: headers, body: body)
        // Never clean; and since a retry would meet the same limit, refused for good.
        #expect(code == .reject)
        #expect(connection.context.reply?.code == 554)
        #expect(connection.context.addedHeaders.contains { $0.value.contains("Clean") } == false)
    }

    @Test func anAdministratorCanStillTempfailMessagesPastALimit() throws {
        let (service, dir) = try Self.service { config, _ in config.actions.limitExceeded = .tempfail }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var body = "Subject: innermost\r\n\r\nHello\r\n"
        for level in 0..<200 { body = "Subject: \(level)\r\nContent-Type: message/rfc822\r\n\r\n" + body }
        let (connection, code) = Self.deliver(service, headers: [("Content-Type", " message/rfc822")], body: body)
        #expect(code == .tempfail)
        #expect(connection.context.reply?.code == 451)
    }

    @Test func windowsExecutableNamedAsPDFIsBannedByContent() throws {
        let (service, dir) = try Self.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let encoded = Data(Self.peExecutable).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\n", with: "")
        let body = "--b1\r\nContent-Type: text/plain\r\n\r\nReport attached\r\n--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n--b1--\r\n"
        let (connection, code) = Self.deliver(service, headers: Self.multipartHeaders, body: body)
        #expect(code == .reject)
        #expect(connection.context.reply?.lines.first?.contains("banned-type:pe-executable") == true)
    }

    /// An MZ header with a PE signature at 0x80: libmagic calls it a PE32 executable.
    static let peExecutable: [UInt8] = {
        var pe = [UInt8](repeating: 0, count: 0x200)
        pe[0] = UInt8(ascii: "M"); pe[1] = UInt8(ascii: "Z"); pe[0x3C] = 0x80
        pe.replaceSubrange(0x80..<0x84, with: Array("PE\0\0".utf8))
        pe[0x84] = 0x4C; pe[0x85] = 0x01; pe[0x86] = 1; pe[0x94] = 0xE0; pe[0x96] = 0x02; pe[0x97] = 0x01
        pe[0x98] = 0x0B; pe[0x99] = 0x01
        return pe
    }()
}
