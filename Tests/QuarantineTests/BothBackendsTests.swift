import Checksum
import Foundation
import Postgres
import Synchronization
import Testing
@testable import Quarantine
@testable import QuarantinePostgres

/// The store's promises, checked on the local store and on the shared PostgreSQL store alike.
@Suite("Quarantine on both backends")
struct BothBackendsTests {
    private let clean: ([UInt8]) -> RescanResult? = { _ in .clean }

    @Test(arguments: BackendKind.allCases)
    func storedEntryReadsBackWithItsEnvelopeHostAndMessage(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let id = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let entry = try subject.store.entry(id)
        #expect(entry.sender.address == "mallory@example.net")
        #expect(entry.sender.parameters == ["SIZE=300", "BODY=8BITMIME", "AUTH=<>", "RET=HDRS", "ENVID=abc"])
        #expect(entry.recipients.map(\.address) == ["alice@example.org", "bob@example.org"])
        #expect(entry.findings == ["Eicar-Test-Signature"])
        #expect(entry.host == "mx1.test")
        #expect(entry.status == .held)
        #expect(entry.size == Fixtures.message.count)
        #expect(entry.sha256 == SHA256.hex(Fixtures.message))
        #expect(try subject.store.message(id) == Fixtures.message)
        #expect(try subject.store.stats().entries == 1)
        #expect(try subject.store.stats().bytes == Fixtures.message.count)
    }

    @Test(arguments: BackendKind.allCases)
    func aHoldEntryIsListedWithItsQueueIDAndHasNoMessage(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let id = try subject.store.recordHold(entry: Fixtures.entry(queueID: "4ABC123DEF"), size: 1234, postfixConfigDirectory: "/etc/postfix-b")
        let entry = try subject.store.entry(id)
        #expect(entry.action == .hold)
        #expect(entry.queueID == "4ABC123DEF")
        #expect(entry.size == 1234)
        #expect(entry.sha256 == "")
        #expect(entry.postfixConfigDirectory == "/etc/postfix-b")
        #expect { try subject.store.message(id) } throws: { ($0 as? QuarantineError)?.code == .fileMissing }
        #expect(try subject.store.stats().byAction["hold"] == 1)
        #expect(try subject.store.verify(repair: false).isClean)
    }

    @Test(arguments: BackendKind.allCases)
    func listsFilterSortAndPageAlike(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for number in 0..<5 {
            _ = try subject.store.store(
                message: .bytes(Fixtures.message),
                entry: Fixtures.entry(sender: "s\(number)@example.net", subject: "Subject \(4 - number) 100%_off", receivedAt: start.addingTimeInterval(Double(number))))
        }
        let other = try subject.another(hostName: "mx2.test")
        _ = try other.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(sender: "z@EXAMPLE.com", receivedAt: start.addingTimeInterval(10)))

        #expect(try subject.store.list(QuarantineFilter(host: "mx2.test")).map(\.sender.address) == ["z@EXAMPLE.com"])
        #expect(try subject.store.list(QuarantineFilter(sender: "example.COM")).count == 1)
        #expect(try subject.store.list(QuarantineFilter(subject: "100%_")).count == 5)
        #expect(try subject.store.list(QuarantineFilter(subject: "0%x")).isEmpty)
        #expect(try subject.store.list(QuarantineFilter(text: "s3@")).count == 1)
        let page = try subject.store.list(QuarantineQuery(order: .subject, descending: false, limit: 2, offset: 1))
        #expect(page.total == 6)
        #expect(page.entries.map(\.subject) == ["Subject 0 100%_off", "Subject 1 100%_off"])
        let newest = try subject.store.list(QuarantineQuery(order: .receivedAt, descending: true, limit: 1))
        #expect(newest.entries.first?.host == "mx2.test")
        #expect(try subject.store.list(QuarantineFilter(since: start.addingTimeInterval(3), until: start.addingTimeInterval(5))).count == 2)
    }

    @Test(arguments: BackendKind.allCases)
    func releaseFromTwoStoresAtOnceDeliversOnce(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let second = try subject.another(hostName: "mx2.test")
        let server = try TestSMTPServer()
        defer { server.stop() }
        let id = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let outcomes = Mutex<[String]>([])
        let first = subject.store
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let store = index % 2 == 0 ? first : second
            let clean: @Sendable ([UInt8]) -> RescanResult? = { _ in .clean }
            let text: String
            do {
                let outcome = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin\(index)"), rescan: clean)
                if case .released = outcome { text = "released" } else { text = "\(outcome)" }
            } catch {
                text = (error as? QuarantineError)?.code.name ?? "\(error)"
            }
            outcomes.withLock { $0.append(text) }
        }
        #expect(outcomes.withLock { $0.filter { $0 == "released" }.count } == 1)
        #expect(server.delivered.count == 1)
        let entry = try second.entry(id)
        #expect(entry.status == .released)
        #expect(entry.releases.count == 1)
    }

    @Test(arguments: BackendKind.allCases)
    func hostileTextIsStoredAndFoundAsText(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let hostile = "'; DROP TABLE entry; -- \"quoted\" \\ back % _ Grüße 日本 \u{1F600}"
        var entry = Fixtures.entry(sender: "o'brien@example.net", recipients: ["x'); DELETE FROM recipient; --@example.org"], findings: [hostile], subject: hostile)
        entry.clientHelo = "helo\u{0}with-nul"
        let id = try subject.store.store(message: .bytes(Array("Subject: x\n\n\u{0}binary\u{0}\u{FF}".utf8) + [0, 0xFF, 0xFE]), entry: entry)
        let read = try subject.store.entry(id)
        #expect(read.subject == hostile)
        #expect(read.findings == [hostile])
        #expect(read.sender.address == "o'brien@example.net")
        #expect(read.recipients.map(\.address) == ["x'); DELETE FROM recipient; --@example.org"])
        // PostgreSQL text cannot hold NUL: the shared store keeps it visible as U+2400. (The
        // local store's SQLite binding ends the text at the NUL: "helo".)
        #expect(read.clientHelo == (kind == .local ? "helo" : "helo\u{2400}with-nul"))
        #expect(try subject.store.list(QuarantineFilter(subject: "'; DROP TABLE entry; --")).map(\.id) == [id])
        #expect(try subject.store.list(QuarantineFilter(text: "日本")).map(\.id) == [id])
        if kind == .postgres { #expect(try subject.store.list(QuarantineFilter(sender: "\u{0}")).isEmpty) }
        #expect(try subject.store.message(id).suffix(3) == [0, 0xFF, 0xFE])
        #expect(try subject.store.stats().entries == 1)
    }

    @Test(arguments: BackendKind.allCases)
    func retentionRemovesOldEntriesUnderTheMaintenanceLock(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let old = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: Date(timeIntervalSinceNow: -90 * 86400)))
        let recent = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let other = try subject.another(hostName: "mx2.test")
        // While one store holds the lock, another (another host) does not run retention.
        let inner = try subject.store.backend.withMaintenanceLock { () throws(QuarantineError) -> PurgeReport in
            try other.purge(maxAge: 30 * 86400, maxBytes: 0)
        }
        #expect(inner?.ran == false)
        let report = try subject.store.purge(maxAge: 30 * 86400, maxBytes: 0)
        #expect(report.removed == [old])
        #expect(try subject.store.list().map(\.id) == [recent])
        #expect(throws: QuarantineError.self) { try subject.store.message(old) }
    }

    @Test(arguments: BackendKind.allCases)
    func verifyRepairPutsAnInterruptedReleaseBackToHeldWithoutDelivering(_ kind: BackendKind) throws {
        let subject = try StoreUnderTest(kind)
        let id = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(try subject.store.backend.transition(id, to: .releasing, from: [.held], reason: nil, at: Date(timeIntervalSinceNow: -7200)))
        let report = try subject.store.verify(repair: true)
        #expect(report.interruptedReleases == [id])
        let entry = try subject.store.entry(id)
        #expect(entry.status == .held)
        #expect(entry.statusReason.contains("interrupted"))
        #expect(entry.releases.isEmpty)
    }
}
