import ClamAV
import Foundation
import Testing
import Updater
#if canImport(Glibc)
import Glibc
#endif

extension LibfreshclamTests {
    /// Failures of the machine rather than the mirror: a full disk, a read-only database
    /// directory, a second update at the same time. Each leaves the installed set as it was.
    @Suite struct EnvironmentFailureTests {
        @Test(.enabled(if: Tmpfs.available, "mounting a small tmpfs needs root"))
        func fullDiskIsReportedAndTheDatabaseStays() throws {
            let scratch = try Scratch()
            let disk = try Tmpfs(at: scratch.root + "/disk", sizeKiB: 64)
            let database = disk.path + "/db"
            try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: true)
            let original = try Fixtures.data("test-3.cvd")
            try original.write(to: URL(fileURLWithPath: database + "/test.cvd"))
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))
            let updater = testUpdater(database: database, mirror: mirror)
            // Leave less room than the new database needs (a 10 KiB CVD, a 40 KiB patched CLD).
            try fill(disk.path, leavingKiB: 6)

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == .diskFull, "\(error?.message ?? "")")
            #expect(error?.message.contains("disk full") == true)
            #expect(contents(database + "/test.cvd") == original)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        @Test(.enabled(if: Tmpfs.available, "a read-only mount needs root"))
        func readOnlyDatabaseDirectoryIsReportedBeforeAnyDownload() throws {
            let scratch = try Scratch()
            let disk = try Tmpfs(at: scratch.root + "/disk", sizeKiB: 256)
            let original = try Fixtures.data("test-3.cvd")
            try original.write(to: URL(fileURLWithPath: disk.path + "/test.cvd"))
            try disk.makeReadOnly()
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))

            let error = #expect(throws: UpdateError.self) { try testUpdater(database: disk.path, mirror: mirror).update() }

            #expect(error?.code == .notWritable)
            #expect(error?.message.contains("not writable") == true)
            #expect(contents(disk.path + "/test.cvd") == original)
            #expect(mirror.requestedPaths().isEmpty)
        }

        @Test func missingDatabaseDirectoryIsAConfigurationError() throws {
            let scratch = try Scratch()
            let error = #expect(throws: UpdateError.self) {
                try testUpdater(database: scratch.root + "/nowhere", mirror: nil).update()
            }
            #expect(error?.code == .configuration)
        }

        @Test func secondUpdateWhileOneRunsIsRefused() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let updater = testUpdater(database: database, mirror: nil)
            // Hold the lock the way a running update does (flock on the lock file).
            try FileManager.default.createDirectory(atPath: updater.layout.workDirectory, withIntermediateDirectories: true)
            let holder = open(updater.layout.lockFile, O_RDWR | O_CREAT, 0o644)
            #expect(holder >= 0)
            defer { close(holder) }
            #expect(flock(holder, LOCK_EX) == 0)

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == .busy)
            #expect(error?.message.contains("another update is running") == true)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }
    }
}

/// Fills the file system at `folder` until only about `leavingKiB` KiB are free.
private func fill(_ folder: String, leavingKiB: Int) throws {
    var stats = statvfs()
    guard statvfs(folder, &stats) == 0 else { throw TestFailure("statvfs \(folder) failed") }
    let free = Int(stats.f_bavail) * Int(stats.f_frsize)
    let size = free - leavingKiB * 1024
    guard size > 0 else { return }
    try Data(count: size).write(to: URL(fileURLWithPath: folder + "/filler"))
}
