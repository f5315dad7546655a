import ClamAV
import Foundation
import Logging
import MIME
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

    @Test func scanTimeLimitIsUnscannableWithAlertExceedsMaxAndSilentWithout() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let zip = try Samples.zipOfMany(100, in: temp)
        let alerting = try ClamAVBackend(
            settings: .init(databaseDirectory: db.path, engineOptions: EngineOptions(maxScanTime: 1, heuristics: .exceedsMax)),
            logger: logger)
        // A time limit depends on the machine's load, so it is a timeout (a retry may pass), not
        // one of the fixed limits that take the limit_exceeded action.
        #expect(alerting.scan(zip[...]) == .unscannable(UnscannableReason(.timeout, "Heuristics.Limits.Exceeded.MaxScanTime")))
        // Without AlertExceedsMax libclamav stops and calls it clean: why the config defaults it on.
        let silent = try ClamAVBackend(
            settings: .init(databaseDirectory: db.path, engineOptions: EngineOptions(maxScanTime: 1)), logger: logger)
        #expect(silent.scan(zip[...]) == .clean)
    }

    /// EICAR base64-encoded in a mail attachment: only a scan that decodes mail can see it.
    func mailWithEncodedEICAR(padding: Int) -> [UInt8] {
        let attachment = TestDatabase.eicar + Array(repeating: UInt8(ascii: "\n"), count: padding)
        let encoded = Data(attachment).base64EncodedString(options: .lineLength76Characters)
        let text = "Subject: eicar\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--b\r\nContent-Type: application/octet-stream; name=e.com\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + encoded + "\r\n--b--\r\n"
        return Array(text.utf8)
    }

    @Test func largeMessagesTakingTurnsInTheMailParserAreStillAllScannedWhole() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        // A budget smaller than any message: every mail-decoding scan waits for the one before.
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path, mailDecodingBudget: 1), logger: logger)
        let path = temp.appendingPathComponent("message.eml")
        try Data(mailWithEncodedEICAR(padding: 2 << 20)).write(to: path)
        let message = try MessageBytes(mappingFile: path.path)
        let verdicts = Mutex<[ScanVerdict]>([])
        TestThreads.run(3) { _ in
            let verdict = backend.scan(message: message, decodingMail: true)
            verdicts.withLock { $0.append(verdict) }
        }
        #expect(verdicts.withLock { $0 } == Array(repeating: .infected([ndbName]), count: 3))
        // Without mail decoding the encoded EICAR is invisible: the gate is on the decoding path.
        #expect(backend.scan(message: message, decodingMail: false) == .clean)
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

    @Test func inPlaceReloadWhoseNewSetFailsToLoadPutsThePreviousSetBackAndKeepsScanning() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let recorder = LogRecorder()
        let settings = ClamAVBackendSettings(databaseDirectory: db.path, reloadMode: .inPlace(maxWait: .seconds(30)))
        let backend = try ClamAVBackend(settings: settings, logger: recorder.logger)
        let before = try #require(backend.database)
        // The update replaces a file (rename, as the installer does: the old bytes survive only
        // where something holds them) with one that lost the EICAR body signature, and adds a
        // malformed one. cl_countsigs counts lines but does not parse them: only the load fails.
        let replacement = temp.appendingPathComponent("replacement.ndb")
        try "\(TestDatabase.markerSignature):0:*:\(TestDatabase.marker.map { String(format: "%02x", $0) }.joined())\n"
            .write(to: replacement, atomically: true, encoding: .utf8)
        #expect(rename(replacement.path, db.appendingPathComponent("scanmilter-test.ndb").path) == 0)
        let broken = db.appendingPathComponent("broken.ndb")
        try "Broken:0:*:zz\n".write(to: broken, atomically: true, encoding: .utf8)

        let run = ScanningWorkers(backend: backend, threads: 4)
        let reloading = Atomic<Bool>(false)
        let duringReload = Atomic<Int>(0)
        run.start { _ in if reloading.load(ordering: .acquiring) { duringReload.add(1, ordering: .relaxed) } }
        reloading.store(true, ordering: .releasing)
        #expect {
            try backend.reload()
        } throws: { error in
            "\(error)".contains("broken.ndb") && (error as? ClamAVError)?.code == .malformedDatabase
        }
        reloading.store(false, ordering: .releasing)
        let verdicts = run.stop()
        #expect(duringReload.load(ordering: .relaxed) > 0, "no scan arrived during the reload")
        // Scans arriving during the reload waited (well within the 30 s) for the previous set.
        #expect(verdicts.allSatisfy { $0 == .infected([ndbName, hdbName]) })
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
        #expect(backend.database?.signatureCount == before.signatureCount)
        #expect(backend.settings.databaseDirectory == db.path)
        #expect(recorder.messages.contains { $0.hasPrefix("clamav reload failed; the previous signatures were loaded again") })

        // A second failure still finds the previous set, and a good set then loads as usual.
        #expect(throws: ClamAVError.self) { try backend.reload() }
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
        try FileManager.default.removeItem(at: broken)
        try backend.reload()
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([hdbName]))
        #expect(backend.scan(TestDatabase.marker[...]) == .infected([TestDatabase.markerSignature + ".UNOFFICIAL"]))
    }

    @Test func concurrentReloadWithRoomForASecondEngineBuildsItBesideTheRunningOne() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let recorder = LogRecorder()
        let plenty = MemoryReadings(memAvailable: 64 << 30, cgroupRoom: 32 << 30)
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: recorder.logger) { plenty }
        for (name, contents) in extraDatabase {
            try contents.write(to: db.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try backend.reload()
        #expect(recorder.messages.contains { $0.hasPrefix("clamav engine reloaded") && $0.contains("clamav.reload_mode=concurrent") })
        #expect(!recorder.messages.contains { $0.contains("not enough memory") })
        #expect(backend.scan(extraSample[...]) == .infected([extraSignature + ".UNOFFICIAL"]))
    }

    @Test(arguments: [
        MemoryReadings(memAvailable: 1 << 20, cgroupRoom: nil),
        MemoryReadings(memAvailable: 64 << 30, cgroupRoom: 1 << 20),
    ])
    func concurrentReloadWithoutRoomForASecondEngineReloadsInPlaceAndSaysWhy(readings: MemoryReadings) throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        // About 15 MB of engine: more than the 1 MiB of room either reading leaves.
        let db = try TestDatabase.make(in: temp, extra: ["bulk.hdb": BulkDatabase.hashes(count: 50_000)])
        let recorder = LogRecorder()
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: recorder.logger) { readings }
        for (name, contents) in extraDatabase {
            try contents.write(to: db.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let run = ScanningWorkers(backend: backend, threads: 4)
        run.start { _ in }
        try backend.reload()
        let verdicts = run.stop()
        #expect(verdicts.allSatisfy { $0 == .infected([ndbName, hdbName]) })
        let warning = recorder.messages.first { $0.hasPrefix("not enough memory for a second engine; reloading in place") }
        #expect(warning?.contains("memory.needed_bytes=") == true)
        #expect(warning?.contains("memory.room_bytes=\(1 << 20)") == true)
        #expect(recorder.messages.contains { $0.hasPrefix("clamav engine reloaded") && $0.contains("clamav.reload_mode=in_place") })
        #expect(backend.retiringEngines == 0, "an in-place reload frees the old engine before loading")
        #expect(backend.scan(extraSample[...]) == .infected([extraSignature + ".UNOFFICIAL"]))
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
    }

    @Test func concurrentReloadThatFellBackToInPlacePutsThePreviousSetBackWhenTheNewOneFails() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let tight = MemoryReadings(memAvailable: 0, cgroupRoom: nil)
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: logger) { tight }
        try "Broken:0:*:zz\n".write(to: db.appendingPathComponent("broken.ndb"), atomically: true, encoding: .utf8)
        #expect(throws: ClamAVError.self) { try backend.reload() }
        #expect(backend.scan(TestDatabase.eicar[...]) == .infected([ndbName, hdbName]))
    }

    @Test func inPlaceReloadMakesArrivingScansWaitAndThenSucceed() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        // A larger database so the load takes long enough for scans to arrive during it.
        let db = try TestDatabase.make(in: temp, extra: ["bulk.hdb": BulkDatabase.hashes(count: 100_000)])
        let settings = ClamAVBackendSettings(databaseDirectory: db.path, reloadMode: .inPlace(maxWait: .seconds(60)))
        let backend = try ClamAVBackend(settings: settings, logger: logger)
        let run = ScanningWorkers(backend: backend, threads: 4)
        let reloading = Atomic<Bool>(false)
        let duringReload = Atomic<Int>(0)
        run.start { _ in if reloading.load(ordering: .acquiring) { duringReload.add(1, ordering: .relaxed) } }
        reloading.store(true, ordering: .releasing)
        try backend.reload()
        reloading.store(false, ordering: .releasing)
        let verdicts = run.stop()
        #expect(duringReload.load(ordering: .relaxed) > 0, "no scan arrived during the reload")
        #expect(verdicts.allSatisfy { $0 == .infected([ndbName, hdbName]) })
    }

    @Test func inPlaceWaitIsBoundedByMaxWait() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp, extra: ["bulk.hdb": BulkDatabase.hashes(count: 300_000)])
        let settings = ClamAVBackendSettings(databaseDirectory: db.path, reloadMode: .inPlace(maxWait: .milliseconds(1)))
        let backend = try ClamAVBackend(settings: settings, logger: logger)
        let run = ScanningWorkers(backend: backend, threads: 1)
        run.start { _ in }
        try backend.reload()
        let verdicts = run.stop()
        let unavailable = verdicts.filter {
            if case .unscannable(let reason) = $0 { reason.code == .backendUnavailable } else { false }
        }
        #expect(!unavailable.isEmpty)
        #expect(verdicts.allSatisfy { $0 == .infected([ndbName, hdbName]) || unavailable.contains($0) })
    }
}

/// Threads that scan EICAR back to back until stopped, recording every verdict.
final class ScanningWorkers: Sendable {
    let backend: ClamAVBackend
    let threads: Int
    private let stopped = Atomic<Bool>(false)
    private let verdicts = Mutex<[ScanVerdict]>([])
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()

    init(backend: ClamAVBackend, threads: Int) {
        self.backend = backend
        self.threads = threads
    }

    /// Starts the threads and returns once each has finished one scan; `beforeScan` runs before
    /// every scan on the scanning thread.
    func start(_ beforeScan: @escaping @Sendable (Int) -> Void) {
        for index in 0..<threads {
            finished.enter()
            Thread { [self] in
                defer { finished.leave() }
                var first = true
                while !stopped.load(ordering: .acquiring) {
                    beforeScan(index)
                    let verdict = backend.scan(TestDatabase.eicar[...])
                    verdicts.withLock { $0.append(verdict) }
                    if first {
                        started.signal()
                        first = false
                    }
                }
            }.start()
        }
        for _ in 0..<threads { started.wait() }
    }

    /// Stops the threads, waits for them, and returns every verdict.
    func stop() -> [ScanVerdict] {
        stopped.store(true, ordering: .releasing)
        finished.wait()
        return verdicts.withLock { $0 }
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
