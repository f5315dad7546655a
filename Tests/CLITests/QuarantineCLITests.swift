import Foundation
import Testing
import Quarantine

/// `scanmilterctl quarantine` as an administrator runs it: the built binary, a real store on
/// disk, and Postfix's smtp-sink as the release relay.
@Suite("scanmilterctl quarantine", .serialized)
struct QuarantineCLITests {
    private func jsonArray(_ run: QuarantineCLI.Run) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: run.output) as? [[String: Any]], "\(run.text) \(run.error)")
    }

    @Test func quarantineIsASubcommandOfScanmilterctl() throws {
        let help = try QuarantineCLI.run(["quarantine", "--help"])
        #expect(help.status == 0 && help.text.contains("USAGE: scanmilterctl quarantine"),
                "QuarantineCommand.self must be in ScanmilterCtl's subcommands")
    }

    @Test func listPrintsStableJSONAndAppliesEachFilter() throws {
        let fixture = try QuarantineCLIFixture()
        let store = try fixture.openStore()
        let eicar = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        let old = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry(findings: ["banned:exe"], receivedAt: Date().addingTimeInterval(-3 * 86400)))

        let all = try fixture.run("list", "--json")
        #expect(all.status == 0)
        let entries = try jsonArray(all)
        #expect(entries.compactMap { $0["id"] as? String } == [old.rawValue, eicar.rawValue])
        let keys = Set(try #require(entries.first).keys)
        #expect(keys == [
            "id", "received_at", "queue_id", "client_address", "client_helo", "sender", "recipients", "subject", "size",
            "sha256", "verdict", "findings", "action", "status", "status_reason", "status_changed_at", "signature_version",
            "postfix_config_directory", "host", "releases",
        ])
        #expect((entries.first?["sender"] as? [String: Any])?["address"] as? String == "mallory@example.net")

        #expect(try jsonArray(fixture.run("list", "--json", "--virus", "eicar")).compactMap { $0["id"] as? String } == [eicar.rawValue])
        #expect(try jsonArray(fixture.run("list", "--json", "--since", "1d")).compactMap { $0["id"] as? String } == [eicar.rawValue])
        #expect(try jsonArray(fixture.run("list", "--json", "--since", "2000-01-01")).count == 2)
        #expect(try jsonArray(fixture.run("list", "--json", "--since", "2999-01-01T00:00:00Z")).isEmpty)
        #expect(try jsonArray(fixture.run("list", "--json", "--sender", "MALLORY")).count == 2)
        #expect(try jsonArray(fixture.run("list", "--json", "--recipient", "nobody@")).isEmpty)
        #expect(try jsonArray(fixture.run("list", "--json", "--status", "deleted")).isEmpty)

        let table = try fixture.run("list")
        #expect(table.status == 0)
        #expect(table.text.contains(eicar.rawValue) && table.text.contains("Eicar-Test-Signature"))
        #expect(try fixture.run("list", "--since", "yesterday-ish").status == 64)
    }

    @Test func showPrintsTheEntryItsHeadersAndTheRawMessage() throws {
        let fixture = try QuarantineCLIFixture()
        let id = try fixture.openStore().store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        let summary = try fixture.run("show", id.rawValue)
        #expect(summary.status == 0)
        #expect(summary.text.contains("Eicar-Test-Signature"))
        #expect(summary.text.contains("<alice@example.org>"))
        #expect(try fixture.run("show", id.rawValue, "--raw").output == Data(QuarantineCLI.message))
        #expect(try fixture.run("show", id.rawValue, "--headers").text == "From: mallory@example.net\r\nTo: alice@example.org\r\nSubject: Invoice 42\r\n")
    }

    @Test(arguments: [["show", "../x"], ["show", "a/b"], ["release", "../../etc/passwd"], ["delete", "AAAAAAAAAAAAAAAAAAAAA/"]])
    func malformedIDsExitWithUsageBeforeTouchingTheStore(arguments: [String]) throws {
        // The store does not even exist: a malformed id must be refused before it is looked for.
        let run = try QuarantineCLI.run(["quarantine"] + arguments + ["--dir", "/nonexistent/quarantine"])
        #expect(run.status == 64)
        #expect(run.error.contains("is not a quarantine id"))
    }

    @Test func unknownIDsAndAMissingStoreExitWithNoInput() throws {
        let fixture = try QuarantineCLIFixture()
        _ = try fixture.openStore()
        let unknown = try fixture.run("show", "AAAAAAAAAAAAAAAAAAAAAA")
        #expect(unknown.status == 66)
        #expect(unknown.error.contains("no quarantine entry AAAAAAAAAAAAAAAAAAAAAA"))
        let missing = try QuarantineCLI.run(["quarantine", "list", "--dir", fixture.path + "/typo"])
        #expect(missing.status == 66)
        #expect(missing.error.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: fixture.path + "/typo"))
    }

    @Test func aBrokenConfigurationExitsWithConfig() throws {
        let fixture = try QuarantineCLIFixture()
        try "[quarantine\ndir = 1\n".write(toFile: fixture.config, atomically: true, encoding: .utf8)
        let run = try fixture.run("list")
        #expect(run.status == 78)
        #expect(run.error.contains(fixture.config))
    }

    @Test func releaseDeliversToTheRelayOnceWithTheEnvelope() throws {
        let directory = try QuarantineCLIFixture()
        let sink = try SMTPSink(in: directory.path)
        let fixture = try QuarantineCLIFixture(relay: sink.relay)
        let store = try fixture.openStore()
        let id = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        let redirected = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())

        let dryRun = try fixture.run("release", id.rawValue, "--dry-run")
        #expect(dryRun.status == 0)
        #expect(dryRun.text.contains("would release to alice@example.org, bob@example.org via \(sink.relay)"))

        let release = try fixture.run("release", id.rawValue, "--json")
        #expect(release.status == 0, "\(release.error)")
        let result = try #require(try jsonArray(release).first)
        #expect(Set(result.keys) == ["id", "result", "recipients", "relay", "reply", "reason", "rescan", "exit_code"])
        #expect(result["result"] as? String == "released")
        #expect((result["reply"] as? String)?.hasPrefix("250") == true)

        let to = try fixture.run("release", redirected.rawValue, "--to", "postmaster@example.org")
        #expect(to.status == 0, "\(to.error)")

        // smtp-sink writes the dump after its reply; give it a moment.
        var attempts = 0
        while sink.count < 2 && attempts < 100 {
            usleep(20_000)
            attempts += 1
        }
        let transactions = sink.received().components(separatedBy: "X-Client-Addr:").dropFirst()
        #expect(transactions.count == 2)
        let original = try #require(transactions.first { $0.contains("X-Rcpt-Args: <alice@example.org>") })
        #expect(original.contains("X-Mail-Args: <mallory@example.net>"))
        #expect(original.contains("X-Rcpt-Args: <bob@example.org>"))
        #expect(original.contains("Subject: Invoice 42"))
        #expect(original.contains("\n.dot line"))
        let other = try #require(transactions.first { $0.contains("X-Rcpt-Args: <postmaster@example.org>") })
        #expect(!other.contains("X-Rcpt-Args: <alice@example.org>"))

        let again = try fixture.run("release", id.rawValue)
        #expect(again.status == 65)
        #expect(again.error.contains("released, not held"))
        #expect(try store.entry(id).releases.count == 1)
    }

    @Test func aRefusingRelayExitsTempFailAndKeepsTheMessageHeld() throws {
        let directory = try QuarantineCLIFixture()
        let sink = try SMTPSink(in: directory.path, extra: ["-f", "RCPT"])
        let fixture = try QuarantineCLIFixture(relay: sink.relay)
        let store = try fixture.openStore()
        let id = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        let run = try fixture.run("release", id.rawValue)
        #expect(run.status == 75)
        #expect(run.error.contains("still held: relay refused RCPT TO:<alice@example.org>: 5"))
        #expect(try store.entry(id).status == .held)
        #expect(try fixture.run("show", id.rawValue).text.contains("refused"))
    }

    @Test func auditListsWhoDeletedAndPurgedWhatAndWhy() throws {
        let fixture = try QuarantineCLIFixture()
        let store = try fixture.openStore()
        let first = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        let old = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry(receivedAt: Date().addingTimeInterval(-7200)))
        #expect(try fixture.run("delete", first.rawValue, "--reason", "phishing, reported by the helpdesk").status == 0)
        #expect(try fixture.run("purge", "--older-than", "1h").status == 0)

        let audit = try fixture.run("audit", "--json")
        #expect(audit.status == 0)
        let records = try jsonArray(audit)
        #expect(records.compactMap { $0["action"] as? String } == ["purge", "delete"])
        #expect(records.compactMap { $0["entry_id"] as? String } == [old.rawValue, first.rawValue])
        #expect(records.last?["detail"] as? String == "phishing, reported by the helpdesk")
        #expect((records.last?["origin"] as? String)?.hasPrefix("cli@") == true)
        #expect(try jsonArray(fixture.run("audit", "--json", "--id", first.rawValue)).count == 1)
        #expect(try fixture.run("audit").text.contains("phishing"))
        #expect(try fixture.run("audit", "--id", "../x").status == 64)
    }

    @Test func deletePurgeAndStats() throws {
        let fixture = try QuarantineCLIFixture()
        let store = try fixture.openStore()
        let first = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        _ = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry(receivedAt: Date().addingTimeInterval(-7200)))

        #expect(try fixture.run("delete", first.rawValue).status == 0)
        #expect(!FileManager.default.fileExists(atPath: store.messagePath(first)))
        #expect(try fixture.run("delete", first.rawValue).status == 65)

        let stats = try #require(try JSONSerialization.jsonObject(with: fixture.run("stats", "--json").output) as? [String: Any])
        #expect(stats["entries"] as? Int == 2)
        #expect((stats["by_status"] as? [String: Int])?["deleted"] == 1)
        #expect(stats["bytes"] as? Int == QuarantineCLI.message.count)

        let purge = try fixture.run("purge", "--older-than", "1h", "--json")
        #expect(purge.status == 0)
        let purged = try #require(try JSONSerialization.jsonObject(with: purge.output) as? [String: Any])
        #expect((purged["removed"] as? [String])?.count == 1)
        #expect(try store.list().map(\.id) == [first])
        #expect(try fixture.run("purge", "--older-than", "soon").status == 64)
    }

    @Test func verifyFindsAFileRemovedByHandAndRepairMendsIt() throws {
        let fixture = try QuarantineCLIFixture()
        let store = try fixture.openStore()
        let id = try store.store(message: .bytes(QuarantineCLI.message), entry: QuarantineCLI.entry())
        #expect(try fixture.run("verify").status == 0)
        try FileManager.default.removeItem(atPath: store.messagePath(id))

        let found = try fixture.run("verify")
        #expect(found.status == 65)
        #expect(found.text.contains("missing file: \(id)"))
        let repaired = try fixture.run("verify", "--repair", "--json")
        #expect(repaired.status == 0)
        #expect(try store.entry(id).status == .deleted)
        #expect(try fixture.run("verify").status == 0)
    }
}
