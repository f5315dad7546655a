import Checksum
import Foundation
import Logging
import Postgres
import Sockets
import Testing
@testable import Quarantine
@testable import QuarantinePostgres

/// What only the shared store has: chunks, the schema, a server that goes away.
@Suite("Quarantine on PostgreSQL")
struct PostgresStoreTests {
    /// A message of `size` bytes in an unlinked temporary file, as the daemon hands large ones over.
    private static func fileSource(size: Int) throws -> (descriptor: Int32, bytes: [UInt8]) {
        var bytes = [UInt8](repeating: 0, count: size)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<size {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        let path = NSTemporaryDirectory() + "/pg-message-" + UUID().uuidString
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        unlink(path)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, size) }
        guard written == size else { throw POSIXError(.EIO) }
        return (descriptor, bytes)
    }

    private static func chunkCount(_ subject: StoreUnderTest, _ id: QuarantineID) throws -> Int {
        guard let database = subject.database else { return -1 }
        let pool = PostgresPool(try PostgresCluster.sharedCluster().options(database))
        defer { pool.close() }
        return try pool.withConnection { try $0.query("SELECT COUNT(*) AS n FROM chunk WHERE entry_id = $1", [.text(id.rawValue)]).int(0, "n") }
    }

    @Test func aMessageOverOneMebibyteIsStoredInChunksAndReadBackWhole() throws {
        let subject = try StoreUnderTest(.postgres)
        let size = 2 * PostgresQuarantineBackend.chunkSize + 12345
        let (descriptor, bytes) = try Self.fileSource(size: size)
        defer { close(descriptor) }
        let id = try subject.store.store(message: .file(descriptor: descriptor, length: size), entry: Fixtures.entry())
        #expect(try Self.chunkCount(subject, id) == 3)
        #expect(try subject.store.entry(id).sha256 == SHA256.hex(bytes))
        #expect(try subject.store.message(id) == bytes)
    }

    @Test func aFiftyMegabyteMessageRoundTrips() throws {
        let subject = try StoreUnderTest(.postgres)
        let size = 50_000_000
        let (descriptor, bytes) = try Self.fileSource(size: size)
        defer { close(descriptor) }
        let id = try subject.store.store(message: .file(descriptor: descriptor, length: size), entry: Fixtures.entry())
        #expect(try Self.chunkCount(subject, id) == (size + PostgresQuarantineBackend.chunkSize - 1) / PostgresQuarantineBackend.chunkSize)
        let read = try subject.store.message(id)
        #expect(read.count == size)
        #expect(read == bytes)
    }

    @Test func aTamperedChunkIsAChecksumMismatchOnReadAndInVerify() throws {
        let subject = try StoreUnderTest(.postgres)
        let id = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        try subject.sql("UPDATE chunk SET bytes = $1 WHERE entry_id = $2", [.bytea(Array("tampered".utf8)), .text(id.rawValue)])
        #expect { try subject.store.message(id) } throws: { ($0 as? QuarantineError)?.code == .checksumMismatch }
        let report = try subject.store.verify(repair: false)
        #expect(report.checksumMismatches == [id])
        // A release refuses it rather than deliver something else.
        let server = try TestSMTPServer()
        defer { server.stop() }
        #expect(throws: QuarantineError.self) {
            _ = try subject.store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: { _ in .clean })
        }
        #expect(server.delivered.isEmpty)
    }

    @Test func verifyRepairMarksAnEntryWithoutChunksDeletedAndRemovesLeftoverChunks() throws {
        let subject = try StoreUnderTest(.postgres)
        let missing = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let leftover = try subject.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        try subject.sql("DELETE FROM chunk WHERE entry_id = $1", [.text(missing.rawValue)])
        try subject.sql("UPDATE entry SET status = 'deleted' WHERE id = $1", [.text(leftover.rawValue)])
        let report = try subject.store.verify(repair: true)
        #expect(report.missingFiles == [missing])
        #expect(report.leftoverFiles == ["\(leftover): 1 chunks"])
        #expect(try subject.store.entry(missing).status == .deleted)
        #expect(try subject.store.verify(repair: false).isClean)
    }

    @Test func initIsIdempotentAndTheStoreRefusesAMissingOrNewerSchema() throws {
        let cluster = try PostgresCluster.sharedCluster()
        let database = try cluster.createDatabase()
        #expect {
            _ = try PostgresQuarantineBackend(options: cluster.options(database), logger: Fixtures.logger)
        } throws: { error in
            let error = error as? QuarantineError
            return error?.code == .schemaMismatch && error?.message.contains("scanmilterctl quarantine init") == true
        }
        #expect(try PostgresQuarantineSchema.migrate(cluster.options(database), logger: Fixtures.logger) == [1])
        #expect(try PostgresQuarantineSchema.migrate(cluster.options(database), logger: Fixtures.logger) == [])
        _ = try PostgresQuarantineBackend(options: cluster.options(database), logger: Fixtures.logger)
        let pool = PostgresPool(cluster.options(database))
        defer { pool.close() }
        try pool.withConnection { _ = try $0.query("INSERT INTO schema_version (version, description) VALUES (99, 'from the future')") }
        #expect {
            _ = try PostgresQuarantineBackend(options: cluster.options(database), logger: Fixtures.logger)
        } throws: { error in
            let error = error as? QuarantineError
            return error?.code == .schemaMismatch && error?.message.contains("newer") == true
        }
        #expect { try PostgresQuarantineSchema.migrate(cluster.options(database), logger: Fixtures.logger) } throws: {
            ($0 as? QuarantineError)?.code == .schemaMismatch
        }
    }

    @Test func aWrongPasswordIsAClearUnavailableError() throws {
        let cluster = try PostgresCluster.sharedCluster()
        var options = cluster.options("quarantine")
        options.password = "not-the-password"
        #expect {
            _ = try PostgresQuarantineBackend(options: options, logger: Fixtures.logger)
        } throws: { error in
            let error = error as? QuarantineError
            return error?.code == .unavailable && error?.message.contains("password authentication failed") == true
                && error?.message.contains("not-the-password") == false
        }
    }

    /// A server that accepts the connection and never answers: the store gives up within its
    /// timeout instead of holding the daemon's thread (and Postfix) for good.
    @Test func aServerThatAcceptsAndHangsIsUnavailableWithinTheTimeout() throws {
        let listener = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        defer { listener.close() }
        let started = Date()
        #expect {
            _ = try PostgresQuarantineBackend(
                options: PostgresOptions(uri: "postgresql://scanmilter@127.0.0.1:\(listener.port)/quarantine", password: "x", timeout: 2),
                logger: Fixtures.logger)
        } throws: { ($0 as? QuarantineError)?.code == .unavailable }
        #expect(Date().timeIntervalSince(started) < 8)
    }

    @Test func theOpenerChoosesTheBackendAndReadsThePasswordFile() throws {
        let cluster = try PostgresCluster.sharedCluster()
        let database = try cluster.createDatabase()
        _ = try PostgresQuarantineSchema.migrate(cluster.options(database), logger: Fixtures.logger)
        let shared = try QuarantineStoreOpener.open(
            .init(store: cluster.uri(database), directory: "/nonexistent", passwordFile: cluster.passwordFile, timeout: 5, hostName: "mx9"),
            logger: Fixtures.logger, createIfMissing: false)
        #expect(shared.backend is PostgresQuarantineBackend)
        #expect(shared.hostName == "mx9")
        #expect(!shared.backend.location.contains(cluster.password))
        let directory = try TemporaryDirectory()
        let local = try QuarantineStoreOpener.open(.init(directory: directory.store), logger: Fixtures.logger, createIfMissing: true)
        #expect(local.backend is LocalQuarantineBackend)
        #expect(PostgresOptions.redacted("postgresql://u:secret@h:5432/db?sslmode=require&password=x") == "postgresql://u@h:5432/db?sslmode=require")
    }

    @Test func aLocalStoreMigratesIntoPostgresOnceAndAgainChangesNothing() throws {
        let local = try StoreUnderTest(.local)
        let target = try StoreUnderTest(.postgres)
        let held = try local.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let deleted = try local.store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry(subject: "gone"))
        try local.store.delete(deleted, by: "admin")
        guard let backend = target.store.backend as? PostgresQuarantineBackend else { throw QuarantineError(.io, "not postgres") }
        for entry in try local.store.list() {
            let message = entry.action == .quarantine && entry.status != .deleted ? try local.store.message(entry.id) : nil
            #expect(try backend.importEntry(entry, message: message) == .copied)
        }
        for entry in try local.store.list() {
            let message = entry.action == .quarantine && entry.status != .deleted ? try local.store.message(entry.id) : nil
            #expect(try backend.importEntry(entry, message: message) == .present)
        }
        #expect(try target.store.list().map(\.id).sorted { $0.rawValue < $1.rawValue } == [held, deleted].sorted { $0.rawValue < $1.rawValue })
        #expect(try target.store.message(held) == Fixtures.message)
        #expect(try target.store.entry(deleted).status == .deleted)
        #expect(try target.store.entry(held).host == "mx1.test")
        #expect(try local.store.message(held) == Fixtures.message)
    }

    /// The server stops: the store throws `.unavailable` within its timeout (the daemon then
    /// temp-fails); it comes back: the pool replaces its dead connections by itself.
    @Test func aStoppedServerIsUnavailableAndARestartedOneIsUsedAgain() throws {
        let cluster = try PostgresCluster.start()
        defer { cluster.destroy() }
        _ = try PostgresQuarantineSchema.migrate(cluster.options("quarantine"), logger: Fixtures.logger)
        let store = QuarantineStore(
            backend: try PostgresQuarantineBackend(options: cluster.options("quarantine", timeout: 3), logger: Fixtures.logger),
            logger: Fixtures.logger, hostName: "mx1.test")
        let first = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())

        try cluster.stop()
        let started = Date()
        #expect { _ = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry()) } throws: {
            ($0 as? QuarantineError)?.code == .unavailable
        }
        #expect(Date().timeIntervalSince(started) < 10)

        try cluster.restart()
        let second = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(Set(try store.list().map(\.id)) == [first, second])

        // A restart while the pool's connections sit idle: the first use finds one dead and
        // retries on a new connection, so nobody sees an error.
        try cluster.stop()
        try cluster.restart()
        let third = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(Set(try store.list().map(\.id)) == [first, second, third])
    }
}
