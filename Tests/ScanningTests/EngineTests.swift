import ClamAV
import Foundation
import Testing

/// The libclamav wrapper against the real library and generated databases.
@Suite struct EngineTests {
    let ndbName = TestDatabase.eicarBodySignature + ".UNOFFICIAL"
    let hdbName = TestDatabase.eicarHashSignature + ".UNOFFICIAL"

    /// Runs `body` with a fresh temporary directory and a generated database in it.
    func withDatabase(extra: [String: String] = [:], _ body: (URL, URL) throws -> Void) throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        try body(temp, try TestDatabase.make(in: temp, extra: extra))
    }

    @Test func plainEicarReportsEverySignatureInAllMatchMode() throws {
        try withDatabase { _, db in
            let engine = try Engine(databaseDirectory: db.path)
            #expect(engine.scan(TestDatabase.eicar[...]) == .matched([ndbName, hdbName]))
            #expect(engine.database.signatureCount == 3)
        }
    }

    @Test func cleanBytesAndEmptyBytesAreClean() throws {
        try withDatabase { _, db in
            let engine = try Engine(databaseDirectory: db.path)
            #expect(engine.scan(Array("hello, world\n".utf8)[...]) == .clean)
            #expect(engine.scan([UInt8]()[...]) == .clean)
        }
    }

    @Test func cacheIsOnByDefaultAndOffWhenDisabledAndScansStillFindEicar() throws {
        try withDatabase { _, db in
            let cached = try Engine(databaseDirectory: db.path)
            #expect(!cached.isCacheDisabled)
            let uncached = try Engine(databaseDirectory: db.path, options: EngineOptions(disableCache: true))
            #expect(uncached.isCacheDisabled)
            // Scanned twice: without the cache the second scan must still match, not be skipped.
            for _ in 0..<2 { #expect(uncached.scan(TestDatabase.eicar[...]) == .matched([ndbName, hdbName])) }
        }
    }

    @Test func temporaryDirectoryIsHandedToLibclamavAndZipsStillScan() throws {
        try withDatabase { temp, db in
            let scratch = temp.appendingPathComponent("scratch")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let engine = try Engine(databaseDirectory: db.path, options: EngineOptions(temporaryDirectory: scratch.path))
            #expect(engine.temporaryDirectory == scratch.path)
            let zip = try Samples.zip(TestDatabase.eicar, in: temp)
            #expect(engine.scan(zip[...]) != .clean)
            // libclamav removes its per-scan directory when the scan ends.
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
            #expect(try Engine(databaseDirectory: db.path).temporaryDirectory == nil)
        }
    }

    @Test func eicarInsideZipIsFound() throws {
        try withDatabase { temp, db in
            let engine = try Engine(databaseDirectory: db.path)
            let zip = try Samples.zip(TestDatabase.eicar, in: temp)
            guard case .matched(let names) = engine.scan(zip[...]) else {
                Issue.record("zip with EICAR not detected")
                return
            }
            #expect(names.contains(ndbName))
            #expect(names.contains(hdbName))
        }
    }

    @Test func fileDescriptorScanReadsTheWholeFile() throws {
        try withDatabase { temp, db in
            let engine = try Engine(databaseDirectory: db.path)
            let file = temp.appendingPathComponent("sample.bin")
            try Data(TestDatabase.marker + Array(repeating: UInt8(ascii: "a"), count: 10_000)).write(to: file)
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            // The marker is at the very start: found only if the scan starts at offset 0 even
            // though the caller has read past it.
            _ = try handle.read(upToCount: 5000)
            #expect(engine.scan(fileDescriptor: handle.fileDescriptor) == .matched([TestDatabase.markerSignature + ".UNOFFICIAL"]))
        }
    }

    @Test func missingDatabaseDirectoryIsAClearError() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let missing = temp.appendingPathComponent("nope").path
        #expect {
            try Engine(databaseDirectory: missing)
        } throws: { error in
            (error as? ClamAVError)?.code == .databaseDirectoryMissing && "\(error)".contains(missing)
        }
    }

    @Test func emptyDatabaseDirectoryIsAClearError() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        #expect {
            try Engine(databaseDirectory: temp.path)
        } throws: { error in
            (error as? ClamAVError)?.code == .databaseDirectoryEmpty
        }
    }

    @Test func directoryWithoutSignatureFilesIsAClearError() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        try "not a database\n".write(to: temp.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        #expect {
            try Engine(databaseDirectory: temp.path)
        } throws: { error in
            guard let error = error as? ClamAVError else { return false }
            return error.function == "cl_load" && error.message.contains("No supported database files")
        }
    }

    @Test(arguments: [
        ("broken.ndb", "Broken.Sig:0:*:zz-not-hex\n"),
        ("broken.hdb", "not-an-md5:what:Broken\n"),
        ("broken.ldb", "Broken.Ldb;Engine:81-255,Target:0;0&1;41414141\n"),
        ("broken.cvd", "ClamAV-VDB:garbage\n"),
    ])
    func corruptDatabaseFileIsAClearErrorNamingTheFunction(file: String, contents: String) throws {
        try withDatabase(extra: [file: contents]) { _, db in
            #expect {
                try Engine(databaseDirectory: db.path)
            } throws: { error in
                guard let error = error as? ClamAVError else { return false }
                return error.function == "cl_load" && !error.message.isEmpty
            }
        }
    }

    @Test func officialSignedTestDatabaseDetectsEicar() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        // cl_load takes a directory; a symlink keeps the fixture read in place, never copied.
        let db = temp.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: db.appendingPathComponent("test.cvd"),
            withDestinationURL: TestDatabase.officialFixtures.appendingPathComponent("test-3.cvd"))
        let engine = try Engine(databaseDirectory: db.path)
        #expect(engine.scan(TestDatabase.eicar[...]) == .matched(["Eicar-Test-Signature"]))
        #expect(engine.database.signedDatabases.map(\.name) == ["test"])
        #expect(engine.database.signedDatabases.first?.version == 3)
        #expect(engine.database.version == 3)
        #expect(engine.database.buildTime == engine.database.signedDatabases.first?.buildTime)
        #expect((engine.database.buildTime?.timeIntervalSince1970 ?? 0) > 1_000_000_000)
        #expect(engine.database.description.hasPrefix("test 3 ("))
    }

    @Test func aDatabaseNamedDailyIdentifiesTheSignatureSet() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        try FileManager.default.createSymbolicLink(
            at: db.appendingPathComponent("daily.cvd"),
            withDestinationURL: TestDatabase.officialFixtures.appendingPathComponent("test-4.cvd"))
        let engine = try Engine(databaseDirectory: db.path)
        #expect(engine.database.version == 4)
        #expect(engine.database.primary?.name == "daily")
        #expect(engine.database.description.hasPrefix("daily 4 ("))
        #expect(engine.database.description.hasSuffix(", \(engine.database.signatureCount) signatures"))
    }
}
