import ClamAV
import Foundation
import Logging
import Scanning
import Synchronization
import Testing

/// The embedded backend: verdicts, hot reload, and scans in flight across reloads.
@Suite struct ClamAVBackendTests {
    let logger = Logger(label: "test.clamav-backend")
    let ndbName = TestDatabase.eicarBodySignature + ".UNOFFICIAL"
    let hdbName = TestDatabase.eicarHashSignature + ".UNOFFICIAL"
    /// Bytes only the signature `extraSignature` matches.
    let extraSample = Array("another-test-marker-51c0".utf8)
    let extraSignature = "Scanmilter.Test.Extra.NDB"

    var extraDatabase: [String: String] {
        ["extra.ndb": "\(extraSignature):0:*:\(extraSample.map { String(format: "%02x", $0) }.joined())\n"]
    }

    @Test func verdictsKeepEveryNameAndMapLimitsAndEncryptionToUnscannable() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let options = EngineOptions(maxFileSize: 1000, heuristics: [.exceedsMax, .encryptedArchives])
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path, engineOptions: options), logger: logger)
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
        #expect(backend.scan(Array("nothing here".utf8)[...]) == .clean)
        guard case .unscannable(let limit) = backend.scan(Array(repeating: 0x41, count: 5000)[...]) else {
            Issue.record("an oversized file must be unscannable")
            return
        }
        #expect(limit.code == .limitExceeded)
        let encrypted = try Samples.zip(Array("hi\n".utf8), name: "hi.txt", password: "pw", in: temp)
        guard case .unscannable(let reason) = backend.scan(encrypted[...]) else {
            Issue.record("an encrypted zip must be unscannable")
            return
        }
        #expect(reason.code == .encrypted)
    }

    @Test func reloadSwapsInNewSignatures() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: logger)
        #expect(backend.scan(extraSample[...]) == .clean)
        for (name, contents) in extraDatabase {
            try contents.write(to: db.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let info = try backend.reload()
        #expect(info.signatureCount == 4)
        #expect(backend.scan(extraSample[...]) == .infected([extraSignature + ".UNOFFICIAL"]))
    }

    @Test(arguments: [ClamAVBackendSettings.ReloadMode.concurrent, .inPlace(maxWait: .seconds(5))])
    func failingReloadLeavesTheRunningEngineServing(mode: ClamAVBackendSettings.ReloadMode) throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path, reloadMode: mode), logger: logger)
        let before = backend.databaseDescription
        var broken = backend.settings
        broken.databaseDirectory = temp.appendingPathComponent("missing").path
        #expect(throws: ClamAVError.self) { try backend.reload(settings: broken) }
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
        #expect(backend.databaseDescription == before)
        #expect(backend.settings.databaseDirectory == db.path)
    }

    @Test func concurrentReloadOfACorruptDatabaseSaysWhyAndKeepsServing() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: logger)
        try "Broken:0:*:zz\n".write(to: db.appendingPathComponent("broken.ndb"), atomically: true, encoding: .utf8)
        #expect {
            try backend.reload()
        } throws: { error in
            "\(error)".contains("broken.ndb") && (error as? ClamAVError)?.code == .malformedDatabase
        }
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
    }

    @Test func inPlaceReloadWhoseLoadFailsReportsTheBackendUnavailableUntilAGoodReload() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let settings = ClamAVBackendSettings(databaseDirectory: db.path, reloadMode: .inPlace(maxWait: .seconds(1)))
        let backend = try ClamAVBackend(settings: settings, logger: logger)
        // cl_countsigs counts lines but does not parse them: only the real load finds this.
        let broken = db.appendingPathComponent("broken.ndb")
        try "Broken:0:*:zz\n".write(to: broken, atomically: true, encoding: .utf8)
        #expect(throws: ClamAVError.self) { try backend.reload() }
        guard case .unscannable(let reason) = backend.scan(TestDatabase.eicar[...]) else {
            Issue.record("with no engine a scan must be unscannable, never clean")
            return
        }
        #expect(reason.code == .backendUnavailable)
        #expect(reason.detail.contains("broken.ndb"))
        try FileManager.default.removeItem(at: broken)
        try backend.reload()
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
    }

    @Test func inPlaceReloadMakesArrivingScansWaitAndThenSucceed() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        // A larger database so the load takes long enough for scans to arrive during it.
        let db = try TestDatabase.make(in: temp, extra: ["bulk.hdb": BulkDatabase.hashes(count: 100_000)])
        let settings = ClamAVBackendSettings(databaseDirectory: db.path, reloadMode: .inPlace(maxWait: .seconds(30)))
        let backend = try ClamAVBackend(settings: settings, logger: logger)
        let verdicts = Mutex<[ScanVerdict]>([])
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<50 {
                    let verdict = backend.scan(TestDatabase.eicar[...])
                    verdicts.withLock { $0.append(verdict) }
                }
            }
        }
        try backend.reload()
        group.wait()
        let all = verdicts.withLock { $0 }
        #expect(all.count == 200)
        #expect(all.allSatisfy { $0 == .infected([ndbName, hdbName]) })
    }

    @Test func inPlaceWaitIsBoundedByMaxWait() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp, extra: ["bulk.hdb": BulkDatabase.hashes(count: 300_000)])
        let settings = ClamAVBackendSettings(databaseDirectory: db.path, reloadMode: .inPlace(maxWait: .milliseconds(1)))
        let backend = try ClamAVBackend(settings: settings, logger: logger)
        let unavailable = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            while !done.load(ordering: .acquiring) {
                if case .unscannable(let reason) = backend.scan(TestDatabase.eicar[...]), reason.code == .backendUnavailable {
                    unavailable.add(1, ordering: .relaxed)
                }
            }
        }
        try backend.reload()
        done.store(true, ordering: .releasing)
        group.wait()
        #expect(unavailable.load(ordering: .relaxed) > 0)
    }
}

/// Generated bulk signatures, to give engines a measurable size and load time.
enum BulkDatabase {
    /// `count` MD5 hash signatures (`.hdb` lines) of files that do not exist.
    static func hashes(count: Int) -> String {
        var text = ""
        text.reserveCapacity(count * 60)
        for index in 0..<count {
            let hex = String(format: "%032x", UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            text += "\(hex):\(1000 + index % 5000):Scanmilter.Bulk.\(index)\n"
        }
        return text
    }
}
