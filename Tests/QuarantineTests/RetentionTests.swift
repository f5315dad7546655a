import Foundation
import Testing
@testable import Quarantine

@Suite("Quarantine delete, purge and stats")
struct RetentionTests {
    @Test func deleteRemovesTheFileAndKeepsTheRowAsDeleted() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        try store.delete(id, by: "admin")
        #expect(!FileManager.default.fileExists(atPath: store.messagePath(id)))
        let entry = try store.entry(id)
        #expect(entry.status == .deleted)
        #expect(entry.statusReason == "deleted by admin")
        #expect {
            try store.delete(id, by: "admin")
        } throws: { ($0 as? QuarantineError)?.code == .notHeld }
        #expect {
            try store.release(id, options: ReleaseOptions(relay: "127.0.0.1:25", releasedBy: "admin"), rescan: { _ in .clean })
        } throws: { ($0 as? QuarantineError)?.code == .notHeld }
    }

    @Test func purgeByAgeRemovesOnlyEntriesOlderThanMaxAge() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let now = Date()
        let old = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: now.addingTimeInterval(-40 * 86400)))
        let deletedOld = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: now.addingTimeInterval(-35 * 86400)))
        try store.delete(deletedOld, by: "admin")
        let recent = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: now.addingTimeInterval(-86400)))

        let report = try store.purge(maxAge: 30 * 86400, maxBytes: 0, now: now)

        #expect(report.removed == [old, deletedOld])
        #expect(report.bytes == Fixtures.message.count)
        #expect(try store.list().map(\.id) == [recent])
        #expect(try Fixtures.messageFiles(directory) == [recent.rawValue + ".eml"])
    }

    @Test func purgeByBytesRemovesTheOldestUntilTheStoreFits() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let now = Date()
        let message = [UInt8](repeating: UInt8(ascii: "x"), count: 1000)
        let ids = try (0..<5).map { index in
            try store.store(message: .bytes(message), entry: Fixtures.entry(receivedAt: now.addingTimeInterval(Double(index - 10) * 60)))
        }
        let report = try store.purge(maxAge: 0, maxBytes: 2500, now: now)
        #expect(report.removed == Array(ids[0..<3]))
        #expect(try store.list().map(\.id) == Array(ids[3...]))
        #expect(try store.stats().bytes == 2000)
        #expect(try store.purge(maxAge: 0, maxBytes: 2500, now: now).removed.isEmpty)
    }

    @Test func purgeOlderThanCanBeLimitedToAStatus() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let now = Date()
        let heldOld = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: now.addingTimeInterval(-7200)))
        let deletedOld = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: now.addingTimeInterval(-7200)))
        try store.delete(deletedOld, by: "admin")
        let report = try store.purge(olderThan: now.addingTimeInterval(-3600), status: .deleted)
        #expect(report.removed == [deletedOld])
        #expect(try store.list().map(\.id) == [heldOld])
    }

    @Test func statsCountEntriesByStatusActionAndFinding() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let first = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(findings: ["Eicar-Test-Signature"]))
        _ = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(findings: ["Eicar-Test-Signature", "banned:exe"]))
        try store.recordHold(entry: Fixtures.entry(findings: ["banned:exe"]), size: 99)
        try store.delete(first, by: "admin")
        let stats = try store.stats()
        #expect(stats.entries == 3)
        #expect(stats.byStatus == ["held": 2, "releasing": 0, "released": 0, "deleted": 1])
        #expect(stats.byAction == ["quarantine": 2, "hold": 1])
        #expect(stats.bytes == Fixtures.message.count)
        #expect(stats.topFindings.map(\.name) == ["Eicar-Test-Signature", "banned:exe"])
        #expect(stats.topFindings.map(\.count) == [2, 2])
    }
}
