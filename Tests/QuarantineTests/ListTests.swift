import Foundation
import Testing
@testable import Quarantine

@Suite("Quarantine list filters")
struct ListTests {
    /// Three entries that differ in every filtered field.
    private func populated() throws -> (TemporaryDirectory, QuarantineStore, [QuarantineID]) {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let now = Date()
        let old = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(
            sender: "old@example.net", recipients: ["carol@example.com"], findings: ["Win.Trojan.Agent"], receivedAt: now.addingTimeInterval(-10 * 86400)))
        let eicar = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(
            sender: "mallory@example.net", recipients: ["alice@example.org"], findings: ["Eicar-Test-Signature"], receivedAt: now.addingTimeInterval(-3600)))
        let banned = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(
            sender: "", recipients: ["bob@example.org", "dave@example.com"], findings: ["banned:exe"], receivedAt: now))
        return (directory, store, [old, eicar, banned])
    }

    @Test func listWithoutFilterReturnsEveryEntryOldestFirst() throws {
        let (directory, store, ids) = try populated()
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list().map(\.id) == ids)
    }

    @Test func sinceKeepsEntriesAtOrAfterTheMoment() throws {
        let (directory, store, ids) = try populated()
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list(QuarantineFilter(since: Date().addingTimeInterval(-86400))).map(\.id) == [ids[1], ids[2]])
    }

    @Test func senderMatchesASubstringCaseInsensitively() throws {
        let (directory, store, ids) = try populated()
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list(QuarantineFilter(sender: "MALLORY@")).map(\.id) == [ids[1]])
        #expect(try store.list(QuarantineFilter(sender: "example.net")).map(\.id) == [ids[0], ids[1]])
    }

    @Test func recipientMatchesAnyRecipient() throws {
        let (directory, store, ids) = try populated()
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list(QuarantineFilter(recipient: "dave@")).map(\.id) == [ids[2]])
        #expect(try store.list(QuarantineFilter(recipient: "example.com")).map(\.id) == [ids[0], ids[2]])
    }

    @Test func virusMatchesAFindingName() throws {
        let (directory, store, ids) = try populated()
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list(QuarantineFilter(finding: "eicar")).map(\.id) == [ids[1]])
        #expect(try store.list(QuarantineFilter(finding: "banned")).map(\.id) == [ids[2]])
    }

    @Test func likeWildcardsInAFilterAreLiteral() throws {
        let (directory, store, _) = try populated()
        defer { withExtendedLifetime(directory) {} }
        #expect(try store.list(QuarantineFilter(sender: "%")).isEmpty)
        #expect(try store.list(QuarantineFilter(finding: "_")).isEmpty)
    }

    @Test func statusFilterAndCombinedFilters() throws {
        let (directory, store, ids) = try populated()
        defer { withExtendedLifetime(directory) {} }
        try store.delete(ids[0], by: "tester")
        #expect(try store.list(QuarantineFilter(status: .deleted)).map(\.id) == [ids[0]])
        #expect(try store.list(QuarantineFilter(status: .held)).map(\.id) == [ids[1], ids[2]])
        #expect(try store.list(QuarantineFilter(sender: "example.net", status: .held)).map(\.id) == [ids[1]])
    }
}
