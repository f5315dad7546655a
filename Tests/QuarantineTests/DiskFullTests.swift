#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import Synchronization
@testable import Quarantine

/// A full disk and a locked index must make `store` throw (so the daemon temp-fails and Postfix
/// keeps the message) and leave no half-written file or row behind.
@Suite("Quarantine on a full disk or a busy index", .serialized)
struct DiskFullTests {
    @Test(.enabled(if: geteuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskMakesStoreThrowAndLeavesNothingHalfWritten() throws {
        let directory = try TemporaryDirectory()
        let mountPoint = directory.path + "/small"
        #expect(mkdir(mountPoint, 0o700) == 0)
        guard mount("tmpfs", mountPoint, "tmpfs", 0, "size=512k") == 0 else {
            Issue.record("mount tmpfs failed: \(String(cString: strerror(errno)))")
            return
        }
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }
        let storePath = mountPoint + "/quarantine"
        let store = try QuarantineStore(directory: storePath, logger: Fixtures.logger)
        let kept = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())

        let tooBig = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        #expect {
            try store.store(message: .bytes(tooBig), entry: Fixtures.entry())
        } throws: { ($0 as? QuarantineError)?.code == .diskFull }

        let names = try FileManager.default.contentsOfDirectory(atPath: storePath).filter { !$0.hasPrefix(LocalQuarantineBackend.indexName) }
        #expect(names == [kept.rawValue + ".eml"], "no temporary or partial file may remain")
        #expect(try store.list().map(\.id) == [kept])
        // The space came back: the store goes on working.
        let after = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        #expect(try store.list().map(\.id).contains(after))
    }

    @Test func readersAreNotBlockedWhileAWriterHoldsTheIndex() throws {
        let directory = try TemporaryDirectory()
        let daemon = try Fixtures.openStore(directory)
        let id = try daemon.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let cli = try QuarantineStore(directory: directory.store, logger: Fixtures.logger, createIfMissing: false, busyTimeout: 0.1)
        let locked = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? daemon.write("hold the lock") { _ in
                locked.store(true, ordering: .releasing)
                usleep(500_000)
            }
            done.signal()
        }.start()
        while !locked.load(ordering: .acquiring) { usleep(1000) }
        // WAL: the CLI lists while the daemon's write transaction is open, with no wait.
        #expect(try cli.list().map(\.id) == [id])
        done.wait()
    }

    @Test func anIndexLockedTooLongMakesStoreThrowAndRemovesTheFile() throws {
        let directory = try TemporaryDirectory()
        let daemon = try QuarantineStore(directory: directory.store, logger: Fixtures.logger, busyTimeout: 0.2)
        let other = try QuarantineStore(directory: directory.store, logger: Fixtures.logger)
        let locked = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? other.write("hold the lock") { _ in
                locked.store(true, ordering: .releasing)
                usleep(800_000)
            }
            done.signal()
        }.start()
        while !locked.load(ordering: .acquiring) { usleep(1000) }

        #expect {
            try daemon.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        } throws: { ($0 as? QuarantineError)?.code == .indexBusy }
        #expect(try Fixtures.messageFiles(directory).isEmpty)
        done.wait()
    }
}
