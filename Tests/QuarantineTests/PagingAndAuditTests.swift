import Foundation
import Testing
@testable import Quarantine

/// What the web console and the shared store build on: pages of a sorted list with a total,
/// the host that quarantined an entry, the audit log, and the maintenance lock.
@Suite("Quarantine pages, hosts, audit log and maintenance lock")
struct PagingAndAuditTests {
    private func populated(_ count: Int) throws -> (TemporaryDirectory, QuarantineStore, [QuarantineID]) {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let now = Date()
        var ids: [QuarantineID] = []
        for index in 0..<count {
            ids.append(try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(
                subject: "Invoice \(index)", receivedAt: now.addingTimeInterval(Double(index - count) * 60))))
        }
        return (directory, store, ids)
    }

    @Test func pagesNeverOverlapAndCarryTheTotal() throws {
        let (directory, store, ids) = try populated(7)
        defer { withExtendedLifetime(directory) {} }
        var seen: [QuarantineID] = []
        for offset in stride(from: 0, to: 7, by: 3) {
            let page = try store.list(QuarantineQuery(order: .receivedAt, descending: true, limit: 3, offset: offset))
            #expect(page.total == 7)
            seen += page.entries.map(\.id)
        }
        #expect(seen == ids.reversed())
        let filtered = try store.list(QuarantineQuery(filter: QuarantineFilter(subject: "invoice 1"), limit: 1))
        #expect(filtered.total == 1)
        #expect(filtered.entries.map(\.id) == [ids[1]])
    }

    @Test func theSearchBoxMatchesIdsSubjectsRecipientsAndFindings() throws {
        let (directory, store, ids) = try populated(3)
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list(QuarantineFilter(text: ids[2].rawValue)).map(\.id) == [ids[2]])
        #expect(try store.list(QuarantineFilter(text: "INVOICE 0")).map(\.id) == [ids[0]])
        #expect(try store.list(QuarantineFilter(text: "bob@")).count == 3)
        #expect(try store.list(QuarantineFilter(text: "eicar")).count == 3)
        #expect(try store.list(QuarantineFilter(text: "'; DROP TABLE entry; --")).isEmpty)
        #expect(try store.list().count == 3)
    }

    @Test func entriesRecordTheHostThatQuarantinedThem() throws {
        let directory = try TemporaryDirectory()
        let first = try QuarantineStore(directory: directory.store, logger: Fixtures.logger)
        let mx1 = QuarantineStore(backend: first.backend, logger: Fixtures.logger, hostName: "mx1.example.org")
        let mx2 = QuarantineStore(backend: first.backend, logger: Fixtures.logger, hostName: "mx2.example.org")
        let a = try mx1.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let b = try mx2.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(try mx1.entry(b).host == "mx2.example.org")
        #expect(try mx2.list(QuarantineFilter(host: "mx1.example.org")).map(\.id) == [a])
        let byHost = try mx1.list(QuarantineQuery(order: .host))
        #expect(byHost.entries.map(\.id) == [a, b])
    }

    @Test func releaseDeleteAndPurgeAreAudited() throws {
        let (directory, store, ids) = try populated(3)
        defer { withExtendedLifetime(directory) {} }
        let withheld = try store.release(
            ids[0], options: ReleaseOptions(relay: "127.0.0.1:9", releasedBy: "alice", origin: "192.0.2.1"),
            rescan: { _ in .infected(["Eicar-Test-Signature"]) })
        #expect(withheld == .keptHeld(reason: "rescan finds it infected: Eicar-Test-Signature"))
        try store.delete(ids[1], by: "bob", origin: "cli@mx1", reason: "phish")
        _ = try store.purge(olderThan: Date().addingTimeInterval(3600), status: .held, by: QuarantineActor(name: "carol", origin: "cli@mx2"))

        let records = try store.audit()
        #expect(records.map(\.action) == ["purge", "purge", "delete", "release-withheld"])
        #expect(records.map(\.actor) == ["carol", "carol", "bob", "alice"])
        #expect(records[2].detail == "phish")
        #expect(records[3].origin == "192.0.2.1")
        #expect(records[3].detail.contains("Eicar-Test-Signature"))
        #expect(try store.audit(AuditQuery(entryID: ids[1])).map(\.action) == ["delete"])
        #expect(try store.audit(AuditQuery(actor: "alice")).count == 1)
        #expect(try store.audit(AuditQuery(limit: 1, offset: 3)).map(\.actor) == ["alice"])
    }

    @Test func theMaintenanceLockIsHeldByOneStoreAtATime() throws {
        let directory = try TemporaryDirectory()
        let one = try Fixtures.openStore(directory)
        let other = try QuarantineStore(directory: directory.store, logger: Fixtures.logger)
        let nested = try one.backend.withMaintenanceLock { () throws(QuarantineError) -> Int? in
            try other.backend.withMaintenanceLock { () throws(QuarantineError) -> Int in 1 }
        }
        #expect(nested == .some(nil), "the second store must not get the lock while the first holds it")
        #expect(try other.backend.withMaintenanceLock { () throws(QuarantineError) -> Int in 2 } == 2)
        let skipped = try other.backend.withMaintenanceLock { () throws(QuarantineError) -> PurgeReport in
            try one.purge(maxAge: 1, maxBytes: 0)
        }
        #expect(skipped?.ran == false)
    }

    @Test func aReadOfAChangedMessageIsRefused() throws {
        let (directory, store, ids) = try populated(1)
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.message(ids[0]) == Fixtures.message)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: store.messagePath(ids[0])))
        #expect {
            try store.message(ids[0])
        } throws: { ($0 as? QuarantineError)?.code == .checksumMismatch }
    }
}
