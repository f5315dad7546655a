import Foundation
import Testing

/// `scanmilterctl scan`, run as the built binary on messages and databases the tests write.
@Suite struct ScanCommandTests {
    static let eicar = #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#
    static let signature = "Cli.Test.EICAR"

    /// A temporary directory with a one-signature database (`db`) and two messages.
    struct Fixture {
        let root: URL
        var database: URL { root.appendingPathComponent("db") }
        var infected: URL { root.appendingPathComponent("infected.eml") }
        var clean: URL { root.appendingPathComponent("clean.eml") }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("scanmilter-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("db"), withIntermediateDirectories: true)
            let hex = Array("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8).map { String(format: "%02x", $0) }.joined()
            try "\(ScanCommandTests.signature):0:*:\(hex)\n".write(
                to: database.appendingPathComponent("cli.ndb"), atomically: true, encoding: .utf8)
            try Self.message(attachment: ScanCommandTests.eicar).write(to: infected, atomically: true, encoding: .utf8)
            try Self.message(attachment: "a harmless note\n", name: "note.txt").write(to: clean, atomically: true, encoding: .utf8)
        }

        static func message(attachment: String, name: String = "file.com") -> String {
            let encoded = Data(attachment.utf8).base64EncodedString()
            return "From: a@example.org\r\nTo: b@example.org\r\nSubject: file\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"\(name)\"\r\n"
                + "Content-Disposition: attachment; filename=\"\(name)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + encoded + "\r\n--b--\r\n"
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// Runs scanmilterctl with `arguments`; returns its exit status, stdout and stderr.
    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try BuiltTool("scanmilterctl").run(arguments)
    }

    /// One JSON object per output line, as `mime --json` prints them.
    func jsonLines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func infectedMessageNamesTheVirusAndTheAttachmentInJSONAndExitsOne() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let result = try run(["scan", "--database", fixture.database.path, "--json", fixture.infected.path, fixture.clean.path])
        #expect(result.status == 1)
        let documents = try jsonLines(result.out)
        #expect(documents.count == 2)
        let infected = try #require(documents.first)
        #expect(infected["verdict"] as? String == "infected")
        #expect(infected["viruses"] as? [String] == ["\(Self.signature).UNOFFICIAL"])
        let parts = try #require(infected["parts"] as? [[String: Any]])
        let attachment = try #require(parts.first { $0["path"] as? String == "2" })
        #expect(attachment["filename"] as? String == "file.com")
        #expect(attachment["verdict"] as? String == "infected")
        #expect(attachment["size"] as? Int == Self.eicar.utf8.count)
        #expect(attachment["detected_type"] as? String == "text/plain")
        #expect((attachment["sha256"] as? String)?.count == 64)
        #expect(attachment["encoding"] as? String == "base64")
        #expect((attachment["defects"] as? [Any])?.isEmpty == true)
        #expect(documents.last?["verdict"] as? String == "clean")
        // The whole pipeline ran: the policy's decision and the banned rules are reported too.
        #expect(infected["decision"] as? String == "reject")
        #expect(infected["banned"] as? [String] == ["banned-extension:com"])
        #expect(documents.last?["decision"] as? String == "tag")
    }

    @Test func anArchiveOpenedWithAPasswordFromTheMessageShowsWhichOne() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let work = fixture.root.appendingPathComponent("zip")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Self.eicar.write(to: work.appendingPathComponent("report.txt"), atomically: true, encoding: .utf8)
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        zip.currentDirectoryURL = work
        zip.arguments = ["-q", "-P", "Tr7!kq9", "out.zip", "report.txt"]
        try zip.run()
        zip.waitUntilExit()
        let encoded = try Data(contentsOf: work.appendingPathComponent("out.zip")).base64EncodedString()
        let message = "From: a@example.org\r\nSubject: scans\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPassword: Tr7!kq9\r\n"
            + "--b\r\nContent-Type: application/zip; name=\"scans.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + encoded + "\r\n--b--\r\n"
        let file = fixture.root.appendingPathComponent("encrypted.eml")
        try message.write(to: file, atomically: true, encoding: .utf8)
        let text = try run(["scan", "--database", fixture.database.path, file.path])
        #expect(text.status == 1)
        #expect(text.out.contains("opened with a password from the message, password \"Tr7!kq9\""), "\(text.out)")
        let json = try jsonLines(try run(["scan", "--database", fixture.database.path, "--json", file.path]).out)
        #expect(json.first?["verdict"] as? String == "infected")
        let opened = try #require(json.first?["opened_archives"] as? [[String: Any]])
        #expect(opened.first?["password"] as? String == "Tr7!kq9")
        #expect(opened.first?["filename"] as? String == "scans.zip")
    }

    @Test func cleanMessageExitsZeroWithATextReport() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let result = try run(["scan", "--database", fixture.database.path, fixture.clean.path])
        #expect(result.status == 0)
        #expect(result.out.contains("clean.eml: clean -> tag (Clean)"))
        #expect(result.out.contains("\"note.txt\""))
    }

    @Test func aHarmlessMismatchIsShownWhileTheMessageStaysClean() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // Text declared image/png: a slip, not a disguise.
        let message = Fixture.message(attachment: "meeting notes\n", name: "notes.txt")
            .replacingOccurrences(of: "application/octet-stream", with: "image/png")
        let file = fixture.root.appendingPathComponent("mislabelled.eml")
        try message.write(to: file, atomically: true, encoding: .utf8)
        let result = try run(["scan", "--database", fixture.database.path, "--json", file.path])
        #expect(result.status == 0)
        let document = try #require(try jsonLines(result.out).first)
        #expect(document["verdict"] as? String == "clean")
        #expect(document["banned"] as? [String] == [])
        #expect(document["decision"] as? String == "tag")
        #expect(document["harmless_mismatches"] as? String == "content-type-mismatch:png-is-text (2 notes.txt)")
        let text = try run(["scan", "--database", fixture.database.path, file.path])
        #expect(text.out.contains("harmless mismatch: content-type-mismatch:png-is-text (2 notes.txt) -> tag (Clean)"))
    }

    @Test func configFileSelectsTheDatabase() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let config = fixture.root.appendingPathComponent("scanmilter.toml")
        try "[scan]\nbackend = \"clamav\"\ndatabase_dir = \"\(fixture.database.path)\"\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try run(["scan", "--config", config.path, fixture.infected.path])
        #expect(result.status == 1)
        #expect(result.out.contains("\(Self.signature).UNOFFICIAL"))
    }

    @Test func recipientsShowWhichOverrideAppliesAndWhy() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let config = fixture.root.appendingPathComponent("scanmilter.toml")
        try """
            [scan]
            database_dir = "\(fixture.database.path)"
            [[override]]
            name = "lab"
            recipients = ["@.lab.example.org"]
            [override.actions]
            banned = "tag"
            [override.policy]
            banned_extensions = []
            """.write(to: config, atomically: true, encoding: .utf8)
        let banned = fixture.root.appendingPathComponent("banned.eml")
        try Fixture.message(attachment: "harmless text\n", name: "tool.exe").write(to: banned, atomically: true, encoding: .utf8)
        let text = try run(["scan", "--config", config.path, "--recipient", "Ann@Sub.Lab.Example.ORG", "--recipient", "bob@example.net", banned.path])
        #expect(text.out.contains("recipient Ann@Sub.Lab.Example.ORG: override lab (matched @.lab.example.org) -> tag (Clean)"), "\(text.out)")
        #expect(text.out.contains("recipient bob@example.net: default (no override matched) -> reject (Banned (banned-extension:exe))"), "\(text.out)")
        let json = try run(["scan", "--config", config.path, "--json", "--recipient", "ann@lab.example.org", banned.path])
        let document = try #require(try jsonLines(json.out).first)
        let recipients = try #require(document["recipients"] as? [[String: Any]])
        #expect(recipients.first?["policy"] as? String == "lab" && recipients.first?["action"] as? String == "tag")
        #expect(document["decision"] as? String == "tag")
    }

    @Test func unreachableClamdMakesTheMessageUnscannableNotClean() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let config = fixture.root.appendingPathComponent("scanmilter.toml")
        let socket = fixture.root.appendingPathComponent("no-clamd.sock").path
        try "[scan]\nbackend = \"clamd\"\nclamd_servers = [\"unix:\(socket)\"]\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try run(["scan", "--config", config.path, "--json", fixture.clean.path])
        #expect(result.status == 75)
        let documents = try jsonLines(result.out)
        #expect(documents.first?["verdict"] as? String == "unscannable")
    }

    @Test func missingDatabaseIsAConfigurationErrorNamingTheDirectory() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let missing = fixture.root.appendingPathComponent("no-db").path
        let result = try run(["scan", "--database", missing, fixture.clean.path])
        #expect(result.status == 78)
        #expect(result.err.contains(missing))
    }

    @Test func unreadableMessageExitsSixtySixAndStillScansTheRest() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let result = try run(["scan", "--database", fixture.database.path, fixture.root.appendingPathComponent("gone.eml").path, fixture.clean.path])
        #expect(result.status == 66)
        #expect(result.out.contains("clean.eml: clean"))
    }

    @Test func noFilesIsAUsageError() throws {
        let result = try run(["scan"])
        #expect(result.status == 64)
    }
}
