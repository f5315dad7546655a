import Foundation
import Testing
import Checksum
@testable import Quarantine

@Suite("Quarantine store")
struct StoreTests {
    @Test func storeKeepsTheRawMessageAndEveryEntryField() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let received = Date(timeIntervalSince1970: 1_760_000_000)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(receivedAt: received))

        let stored = try Data(contentsOf: URL(fileURLWithPath: store.messagePath(id)))
        #expect(Array(stored) == Fixtures.message)
        let entry = try store.entry(id)
        #expect(entry.id == id)
        #expect(entry.receivedAt == received)
        #expect(entry.queueID == "4ABC123DEF")
        #expect(entry.clientAddress == "192.0.2.7")
        #expect(entry.clientHelo == "mx.example.net")
        #expect(entry.sender == EnvelopeAddress("mallory@example.net", parameters: ["SIZE=300", "BODY=8BITMIME", "AUTH=<>", "RET=HDRS", "ENVID=abc"]))
        #expect(entry.recipients.map(\.address) == ["alice@example.org", "bob@example.org"])
        #expect(entry.recipients[0].parameters == ["NOTIFY=FAILURE", "X-UNKNOWN=1"])
        #expect(entry.subject == "Invoice 42")
        #expect(entry.size == Fixtures.message.count)
        #expect(entry.sha256 == SHA256.hex(Fixtures.message))
        #expect(entry.verdict == "infected")
        #expect(entry.findings == ["Eicar-Test-Signature"])
        #expect(entry.action == .quarantine)
        #expect(entry.status == .held)
        #expect(entry.signatureVersion == "daily.cvd 27500")
        #expect(entry.releases.isEmpty)
    }

    @Test func messageFilesAreMode0600InADirectoryOfMode0700() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        var status = stat()
        #expect(stat(store.messagePath(id), &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(stat(directory.store, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
        #expect(try Fixtures.messageFiles(directory) == [id.rawValue + ".eml"])
    }

    @Test func storeReadsAnUnlinkedFileFromOffsetZeroWhateverItsPosition() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let spill = directory.path + "/spill"
        let fd = open(spill, O_RDWR | O_CREAT, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        unlink(spill)
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let payload = Fixtures.message + big
        _ = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // The daemon's descriptor is positioned at the end; pread must not care.
        let id = try store.store(message: .file(descriptor: fd, length: payload.count), entry: Fixtures.entry())
        let stored = try Data(contentsOf: URL(fileURLWithPath: store.messagePath(id)))
        #expect(Array(stored) == payload)
        #expect(try store.entry(id).sha256 == SHA256.hex(payload))
        #expect(lseek(fd, 0, SEEK_CUR) == off_t(payload.count))
    }

    @Test func storeFromAFileShorterThanClaimedFailsAndLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let path = directory.path + "/short"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Fixtures.message)))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect {
            try store.store(message: .file(descriptor: fd, length: Fixtures.message.count + 10), entry: Fixtures.entry())
        } throws: { ($0 as? QuarantineError)?.code == .io }
        #expect(try Fixtures.messageFiles(directory).isEmpty)
        #expect(try store.list().isEmpty)
    }

    @Test func idsAre22URLSafeCharactersUniqueAndNeverLookLikeAnOption() throws {
        // 1 in 32 random ids would start with "-" or "_" if nothing prevented it.
        let ids = (0..<1000).map { _ in QuarantineID.random() }
        #expect(Set(ids).count == 1000)
        for id in ids {
            #expect(id.rawValue.utf8.count == 22)
            #expect(QuarantineID(id.rawValue) == id)
            #expect(!id.rawValue.hasPrefix("-") && !id.rawValue.hasPrefix("_"))
        }
    }

    @Test(arguments: ["../x", "a/b", "", "short", "AAAAAAAAAAAAAAAAAAAAA/", "../../../../../etc/passwd", "AAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAA.."])
    func malformedIDsAreRefused(text: String) {
        #expect(QuarantineID(text) == nil)
    }

    @Test func unknownIDIsAClearError() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let unknown = try #require(QuarantineID("AAAAAAAAAAAAAAAAAAAAAA"))
        #expect {
            try store.entry(unknown)
        } throws: { ($0 as? QuarantineError)?.code == .unknownID }
    }

    @Test func openingAMissingStoreWithoutCreateFailsAndCreatesNothing() throws {
        let directory = try TemporaryDirectory()
        #expect {
            try QuarantineStore(directory: directory.store, logger: Fixtures.logger, createIfMissing: false)
        } throws: { ($0 as? QuarantineError)?.code == .storeMissing }
        #expect(!FileManager.default.fileExists(atPath: directory.store))
    }

    @Test func theIndexIsInWALModeAndSyncsEveryCommit() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let modes = try store.write("pragmas") { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(modes.0 == "wal")
        #expect(modes.1 == 2, "synchronous = FULL")
    }

    @Test func aSecondStoreOnTheSameDirectorySeesTheFirstStoresWrites() throws {
        let directory = try TemporaryDirectory()
        let daemon = try Fixtures.openStore(directory)
        let cli = try QuarantineStore(directory: directory.store, logger: Fixtures.logger, createIfMissing: false)
        let id = try daemon.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(try cli.entry(id).status == .held)
    }

    @Test func holdEntriesHaveNoFileAndKeepTheirQueueID() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let id = try store.recordHold(entry: Fixtures.entry(queueID: "4XyZ1kLmn8"), size: 1234, postfixConfigDirectory: "/etc/postfix-out")
        let entry = try store.entry(id)
        #expect(entry.action == .hold)
        #expect(entry.queueID == "4XyZ1kLmn8")
        #expect(entry.size == 1234)
        #expect(entry.postfixConfigDirectory == "/etc/postfix-out")
        #expect(try Fixtures.messageFiles(directory).isEmpty)
        #expect {
            try store.recordHold(entry: Fixtures.entry(queueID: "-d ALL"))
        } throws: { ($0 as? QuarantineError)?.code == .invalidArgument }
    }

    @Test func envelopeAddressesLoseTheAngleBracketsLibmilterGives() {
        #expect(EnvelopeAddress("<a@example.org>").address == "a@example.org")
        #expect(EnvelopeAddress("<>").address == "")
        #expect(EnvelopeAddress("a@example.org").address == "a@example.org")
    }

    @Test func headersBlockEndsAtTheFirstEmptyLine() {
        let headers = String(decoding: MessageHeaders.block(of: Fixtures.message), as: UTF8.self)
        #expect(headers.hasSuffix("Message-ID: <m1@example.net>\n"))
        #expect(!headers.contains("Hello"))
        let folded = Array("Subject: a\r\n b\r\nX: y\r\n\r\nbody".utf8)
        #expect(MessageHeaders.value(of: "subject", in: folded) == "a b")
    }
}
