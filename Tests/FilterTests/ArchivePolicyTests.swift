import ScanmilterConfiguration
@testable import Filter
import Foundation
import Milter
import MilterTesting
import Testing

/// Names and types inside archive attachments, through the whole session: real zip files made
/// by Info-ZIP's `zip`, real libarchive, real libmagic.
@Suite struct ArchivePolicyTests {
    /// Zips `files` (name → contents) with `zip`, optionally with a password; returns the bytes.
    static func zip(_ files: [String: [UInt8]], password: String? = nil) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = dir
        process.arguments = ["-q"] + (password.map { ["-P", $0] } ?? []) + ["out.zip"] + files.keys.sorted()
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: dir.appendingPathComponent("out.zip")))
    }

    static func deliverZip(_ zip: [UInt8], name: String = "files.zip", edit: (inout ScanmilterConfig, String) -> Void = { _, _ in }) throws -> (TestConnection, ResponseCode?) {
        let (service, dir) = try ScanSessionTests.service(edit)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let encoded = Data(zip).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\n", with: "")
        let body = "--b1\r\nContent-Type: text/plain\r\n\r\nFiles attached\r\n--b1\r\nContent-Type: application/zip; name=\"\(name)\"\r\n"
            + "Content-Disposition: attachment; filename=\"\(name)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n--b1--\r\n"
        let (connection, code) = ScanSessionTests.deliver(service, headers: ScanSessionTests.multipartHeaders, body: body)
        return (connection, code)
    }

    @Test func aBannedNameInsideAZipIsRejectedByItsRule() throws {
        let zip = try Self.zip(["readme.txt": Array("hello\n".utf8), "invoice.pdf.exe": Array("not really a program\n".utf8)])
        let (connection, code) = try Self.deliverZip(zip)
        #expect(code == .reject)
        let reply = connection.context.reply?.lines.first ?? ""
        #expect(reply.contains("banned-extension:exe"))
        #expect(reply.contains("double-extension"))
    }

    @Test func anExecutableInsideAZipIsCaughtByItsContentWhateverItsName() throws {
        var pe = [UInt8](repeating: 0, count: 0x200)
        pe[0] = UInt8(ascii: "M"); pe[1] = UInt8(ascii: "Z"); pe[0x3C] = 0x80
        pe.replaceSubrange(0x80..<0x84, with: Array("PE\0\0".utf8))
        pe[0x84] = 0x4C; pe[0x85] = 0x01; pe[0x86] = 1; pe[0x94] = 0xE0; pe[0x96] = 0x02; pe[0x97] = 0x01
        pe[0x98] = 0x0B; pe[0x99] = 0x01
        let zip = try Self.zip(["holiday-photo.jpg": pe])
        let (connection, code) = try Self.deliverZip(zip)
        #expect(code == .reject)
        #expect(connection.context.reply?.lines.first?.contains("banned-type:pe-executable") == true)
    }

    @Test func anEncryptedZipHasItsOwnRuleWhichCanBeSwitchedOff() throws {
        let zip = try Self.zip(["report.txt": Array("quarterly numbers\n".utf8)], password: "secret")
        let (banned, bannedCode) = try Self.deliverZip(zip)
        #expect(bannedCode == .reject)
        #expect(banned.context.reply?.lines.first?.contains("archive-encrypted") == true)
        let (_, allowedCode) = try Self.deliverZip(zip) { config, _ in config.policy.banEncryptedArchives = false }
        #expect(allowedCode == .continue)
    }

    @Test func aHarmlessZipPasses() throws {
        let zip = try Self.zip(["notes.txt": Array("just notes\n".utf8), "data.csv": Array("a,b\n1,2\n".utf8)])
        let (connection, code) = try Self.deliverZip(zip)
        #expect(code == .continue)
        #expect(connection.context.addedHeaders.contains { $0.name == "X-Virus-Status" && $0.value == " Clean" })
    }

    @Test func aHarmlessZipUnderAnImageNameIsRecordedNotRefused() throws {
        let zip = try Self.zip(["notes.txt": Array("just notes\n".utf8)])
        let (connection, code) = try Self.deliverZip(zip, name: "photo.jpg")
        #expect(code == .continue)
        #expect(connection.context.addedHeaders.contains { $0.name == "X-Virus-Type-Mismatch" && $0.value.contains("type-mismatch:jpeg-is-zip") })
    }

    @Test func aZipUnderAnImageNameIsRefusedWhenItsMembersWereNotChecked() throws {
        // check_archives off: what the zip holds is unknown, so the disguise is not assumed harmless.
        let zip = try Self.zip(["notes.txt": Array("just notes\n".utf8)])
        let (connection, code) = try Self.deliverZip(zip, name: "photo.jpg") { config, _ in config.policy.checkArchives = false }
        #expect(code == .reject)
        #expect(connection.context.reply?.lines.first?.contains("type-mismatch:jpeg-is-zip") == true)
    }

    @Test func aZipHoldingHTMLWithScriptUnderAnotherNameIsADisguise() throws {
        // No member is banned by name or type, but the page's script makes the zip risky.
        let page = Array("<html><body><script>location='https://evil.example/'</script></body></html>\n".utf8)
        let zip = try Self.zip(["invoice.html": page])
        let (harmlessName, allowed) = try Self.deliverZip(zip, name: "invoice.zip")
        #expect(allowed == .continue, "\(harmlessName.context.reply.map { "\($0)" } ?? "")")
        let (connection, code) = try Self.deliverZip(zip, name: "invoice.pdf")
        #expect(code == .reject)
        #expect(connection.context.reply?.lines.first?.contains("type-mismatch:pdf-is-zip") == true)
    }

    @Test func archivesAreNotOpenedWhenCheckArchivesIsOff() throws {
        let zip = try Self.zip(["tool.exe": Array("x\n".utf8)])
        let (_, code) = try Self.deliverZip(zip) { config, _ in config.policy.checkArchives = false }
        #expect(code == .continue)
    }
}
