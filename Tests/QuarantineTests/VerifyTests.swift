import Foundation
import Testing
@testable import Quarantine

@Suite("Quarantine verify and repair")
struct VerifyTests {
    /// Orphan files must be an hour old before verify adopts them (the daemon may be writing).
    private let later = Date().addingTimeInterval(2 * 3600)

    @Test func aConsistentStoreVerifiesClean() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        _ = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(try store.verify(repair: false, now: later).isClean)
    }

    @Test func aFileRemovedByHandIsFoundAndItsEntryMarkedDeleted() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        try FileManager.default.removeItem(atPath: store.messagePath(id))

        let found = try store.verify(repair: false)
        #expect(found.missingFiles == [id])
        #expect(try store.entry(id).status == .held)

        let repaired = try store.verify(repair: true)
        #expect(repaired.missingFiles == [id])
        #expect(try store.entry(id).status == .deleted)
        #expect(try store.verify(repair: false).isClean)
    }

    @Test func aRowRemovedByHandIsRebuiltFromItsFile() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        try Fixtures.sqlite(directory, "PRAGMA foreign_keys = ON; DELETE FROM entry WHERE id = '\(id)'")
        #expect {
            try store.entry(id)
        } throws: { ($0 as? QuarantineError)?.code == .unknownID }

        #expect(try store.verify(repair: false).orphanFiles.isEmpty, "a fresh file may still be in the daemon's hands")
        let found = try store.verify(repair: true, now: later)
        #expect(found.orphanFiles == [id.rawValue + ".eml"])

        let rebuilt = try store.entry(id)
        #expect(rebuilt.status == .held)
        #expect(rebuilt.subject == "Invoice 42")
        #expect(rebuilt.size == Fixtures.message.count)
        #expect(rebuilt.recipients.isEmpty)
        #expect(rebuilt.statusReason.contains("--to"))
        #expect(try store.verify(repair: false, now: later).isClean)
    }

    @Test func aChangedFileIsReportedAndNotReleasedWithoutForce() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: store.messagePath(id)))
        #expect(try store.verify(repair: false).checksumMismatches == [id])
        let outcome = try store.release(id, options: ReleaseOptions(relay: "127.0.0.1:1", releasedBy: "admin"), rescan: { _ in .clean })
        guard case .keptHeld(let reason) = outcome else {
            Issue.record("expected kept held, got \(outcome)")
            return
        }
        #expect(reason.contains("checksum"))
    }

    @Test func leftoversAndInterruptedReleasesAreMended() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let temporary = directory.store + "/.AAAAAAAAAAAAAAAAAAAAAA.tmp"
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data("half".utf8)))
        try Fixtures.sqlite(directory, "UPDATE entry SET status = 'releasing' WHERE id = '\(id)'")

        let report = try store.verify(repair: true, now: later)
        #expect(report.leftoverFiles == [".AAAAAAAAAAAAAAAAAAAAAA.tmp"])
        #expect(report.interruptedReleases == [id])
        #expect(!FileManager.default.fileExists(atPath: temporary))
        let entry = try store.entry(id)
        #expect(entry.status == .held)
        #expect(entry.statusReason.contains("may have been delivered"))
    }
}
