import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Milter
import MilterTesting
import Quarantine
import Testing

/// Encrypted archives opened with the password the message gives, through the whole session:
/// zips from Info-ZIP's `zip -P` (ZipCrypto) and p7zip's `7z` (AES-256), real libarchive, real
/// libmagic, real libclamav.
@Suite struct ArchivePasswordTests {
    static let sevenZip = ["/usr/bin/7z", "/usr/bin/7za"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// An archive of `files` made by `7z a` with `arguments` (e.g. `-tzip -mem=AES256`).
    static func sevenZip(_ files: [String: [UInt8]], name: String, arguments: [String]) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("7z-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (file, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(file)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(sevenZip))
        process.currentDirectoryURL = dir
        process.arguments = ["a", "-bd", "-y"] + arguments + [name] + files.keys.sorted()
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: dir.appendingPathComponent(name)))
    }

    static let eicar = Array(ScanSessionTests.eicar.utf8)
    static let program = Array("not really a program\n".utf8)

    /// Delivers `archive` as `name` with `subject`, a plain `text` part and, if given, an HTML part.
    static func deliver(
        _ archive: [UInt8], name: String = "files.zip", subject: String = "files", text: String, html: String? = nil,
        edit: (inout ScanmilterConfig, String) -> Void = { _, _ in }, service wrap: (FilterService) -> FilterService = { $0 }
    ) throws -> (TestConnection, ResponseCode?) {
        let (made, dir) = try ScanSessionTests.service(edit)
        let service = wrap(made)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let encoded = Data(archive).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\n", with: "\r\n")
        var body = "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\(text)\r\n"
        if let html { body += "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\(html)\r\n" }
        body += "--b1\r\nContent-Type: application/zip; name=\"\(name)\"\r\n"
            + "Content-Disposition: attachment; filename=\"\(name)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n--b1--\r\n"
        let headers: [(String, String)] = [
            ("From", " a@example.org"), ("Subject", " \(subject)"), ("MIME-Version", " 1.0"),
            ("Content-Type", " multipart/mixed; boundary=\"b1\""),
        ]
        return ScanSessionTests.deliver(service, headers: headers, body: body)
    }

    static func reply(_ connection: TestConnection) -> String { connection.context.reply?.lines.joined(separator: " ") ?? "" }

    @Test func aZipCryptoZipWithEicarAndThePasswordInTheBodyIsRejectedAsInfected() throws {
        let zip = try ArchivePolicyTests.zip(["report.txt": Self.eicar], password: "Tr7!kq9")
        let (connection, code) = try Self.deliver(zip, text: "Hi,\r\nthe report is attached.\r\nPassword: Tr7!kq9\r\n")
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("Test.EICAR"), "\(Self.reply(connection))")
        #expect(!Self.reply(connection).contains("archive-encrypted"))
    }

    @Test func aZipCryptoZipWithABannedProgramAndThePasswordInTheSubjectIsBannedByName() throws {
        let zip = try ArchivePolicyTests.zip(["invoice.exe": Self.program], password: "4471")
        let (connection, code) = try Self.deliver(zip, subject: "Invoice 2024-118 (pw 4471)", text: "see attachment")
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("banned-extension:exe"), "\(Self.reply(connection))")
        #expect(!Self.reply(connection).contains("archive-encrypted"))
    }

    @Test func aZipCryptoZipWithThePasswordInGermanAndAHarmlessMemberPasses() throws {
        let zip = try ArchivePolicyTests.zip(["rechnung.txt": Array("Summe 12 EUR\n".utf8)], password: "Herbst!22")
        let (connection, code) = try Self.deliver(zip, text: "Hallo,\r\nanbei die Rechnung. Das Passwort lautet: Herbst!22\r\nGruß")
        #expect(code == .continue, "\(Self.reply(connection))")
    }

    @Test func aQuarantineEntryRecordsThatAPasswordFromTheMessageOpenedTheArchive() throws {
        let zip = try ArchivePolicyTests.zip(["report.txt": Self.eicar], password: "Tr7!kq9")
        // Outside the service's directory, which `deliver` removes before the entry is read.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pwq-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try QuarantineStore(directory: directory, logger: Logger(label: "test"))
        let (connection, code) = try Self.deliver(zip, text: "Password: Tr7!kq9\r\n") { config, _ in
            config.actions.infected = .quarantine
        } service: { service in
            FilterService(config: service.config, pipeline: service.pipeline, scanner: service.scanner, quarantine: store, logger: service.logger)
        }
        #expect(code == .discard, "\(Self.reply(connection))")
        let entry = try #require(try store.list().first)
        #expect(entry.findings.contains { $0.contains("files.zip: opened with a password from the message") }, "\(entry.findings)")
        #expect(entry.findings.contains { $0.contains("Test.EICAR") })
    }

    @Test func aWrongPasswordLeavesTheArchiveEncryptedAsBefore() throws {
        let zip = try ArchivePolicyTests.zip(["report.txt": Self.eicar], password: "right-one")
        let (connection, code) = try Self.deliver(zip, text: "Password: wrong-one\r\n")
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("archive-encrypted"), "\(Self.reply(connection))")
    }

    @Test func noCandidatesAreTriedWhenTheSettingIsZero() throws {
        let zip = try ArchivePolicyTests.zip(["report.txt": Array("numbers\n".utf8)], password: "abc123")
        let (connection, code) = try Self.deliver(zip, text: "Password: abc123\r\n") { config, _ in
            config.policy.archivePasswordCandidates = 0
        }
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("archive-encrypted"))
    }

    @Test(.enabled(if: sevenZip != nil, "needs p7zip-full (scripts/install-deps.sh)"))
    func anAES256ZipWithEicarAndThePasswordInAnHTMLPartIsRejectedAsInfected() throws {
        let zip = try Self.sevenZip(["report.txt": Self.eicar], name: "out.zip", arguments: ["-tzip", "-mem=AES256", "-pK9#mZp"])
        let (connection, code) = try Self.deliver(
            zip, text: "see the HTML part", html: "<html><body><p>Password: <b>K9#mZp</b></p></body></html>")
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("Test.EICAR"), "\(Self.reply(connection))")
    }

    @Test(.enabled(if: sevenZip != nil, "needs p7zip-full (scripts/install-deps.sh)"))
    func anAES256ZipWithABannedProgramAndThePasswordInTheBodyIsBannedByName() throws {
        let zip = try Self.sevenZip(["setup.exe": Self.program], name: "out.zip", arguments: ["-tzip", "-mem=AES256", "-psummer2024"])
        let (connection, code) = try Self.deliver(zip, text: "Hello,\r\nthe zip password is summer2024\r\n")
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("banned-extension:exe"), "\(Self.reply(connection))")
    }

    @Test func aPasswordProtectedZipBombStopsAtTheLimitsAndStaysEncrypted() throws {
        // 200 MB of zeros deflate to about 200 KB; the tries read at most twice the inspection's
        // byte budget (64 MB by default) before giving up.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("zeros.bin").path, contents: nil)
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("zeros.bin"))
        let chunk = Data(count: 1 << 20)
        for _ in 0..<200 { handle.write(chunk) }
        try handle.close()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = dir
        process.arguments = ["-q", "-P", "boom", "out.zip", "zeros.bin"]
        try process.run()
        process.waitUntilExit()
        let zip = Array(try Data(contentsOf: dir.appendingPathComponent("out.zip")))
        let started = ContinuousClock.now
        let (connection, code) = try Self.deliver(zip, text: "Password: boom\r\npw: boom2\r\nKennwort: boom3\r\n")
        #expect(code == .reject)
        #expect(Self.reply(connection).contains("archive-encrypted"), "\(Self.reply(connection))")
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
