import ClamAV
import Foundation
import Logging
import Scanning
import Synchronization
import Testing

/// Hot reload under load: the promise that no scan ever sees a reload.
@Suite struct ReloadUnderLoadTests {
    @Test func eightThreadsScanCorrectlyThroughTwentyReloadsAndMemoryReturns() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        // Big enough that a leaked engine shows in RSS (about 15 MB each), small enough to load fast.
        let db = try TestDatabase.make(in: temp, extra: ["bulk.hdb": BulkDatabase.hashes(count: 50_000)])
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: Logger(label: "test.reload"))
        let expectedInfected = ScanVerdict.infected([
            TestDatabase.eicarBodySignature + ".UNOFFICIAL", TestDatabase.eicarHashSignature + ".UNOFFICIAL",
        ])
        let zip = try Samples.zip(TestDatabase.eicar, in: temp)
        let clean = Array(repeating: UInt8(ascii: "c"), count: 4096)

        // One reload first, so allocator arenas of the swap path exist before the baseline.
        try backend.reload()
        try waitForRetirement(backend)
        let baseline = ProcessMemory.residentBytes() ?? 0

        let stop = Atomic<Bool>(false)
        let scans = Atomic<Int>(0)
        let wrong = Mutex<[String]>([])
        let group = DispatchGroup()
        for worker in 0..<8 {
            let thread = Thread {
                defer { group.leave() }
                var round = 0
                while !stop.load(ordering: .acquiring) {
                    round += 1
                    let (sample, expected): ([UInt8], ScanVerdict?) = switch (worker + round) % 3 {
                    case 0: (TestDatabase.eicar, expectedInfected)
                    case 1: (clean, .clean)
                    default: (zip, nil)
                    }
                    let verdict = backend.scan(sample[...])
                    scans.add(1, ordering: .relaxed)
                    let correct = if let expected { verdict == expected } else {
                        if case .infected(let names) = verdict { names.contains(TestDatabase.eicarBodySignature + ".UNOFFICIAL") } else { false }
                    }
                    if !correct { wrong.withLock { $0.append("\(verdict)") } }
                }
            }
            group.enter()
            thread.start()
        }
        // Reload only once the scanners are running, so every reload overlaps scans.
        while scans.load(ordering: .relaxed) < 8 { Thread.sleep(forTimeInterval: 0.001) }
        let before = scans.load(ordering: .relaxed)
        for _ in 0..<20 { try backend.reload() }
        #expect(scans.load(ordering: .relaxed) > before, "no scan ran during the reloads")
        stop.store(true, ordering: .releasing)
        group.wait()
        try waitForRetirement(backend)

        #expect(wrong.withLock { $0 } == [])
        #expect(scans.load(ordering: .relaxed) > 100)
        // Twenty leaked engines would be hundreds of MB, and stay; allow one engine's worth of
        // slack. The resident set is the whole test process's, and other suites run beside this
        // one (a 50 MB quarantine message, a 2 MB scan): what they hold comes and goes, a leak
        // does not, so the check waits (up to 10 s) for their memory to come back.
        var after = ProcessMemory.residentBytes() ?? 0
        let deadline = Date().addingTimeInterval(10)
        while after - baseline >= 40 << 20, Date() < deadline {
            ClamAVLibrary.returnFreeMemory()
            Thread.sleep(forTimeInterval: 0.2)
            after = ProcessMemory.residentBytes() ?? 0
        }
        #expect(after - baseline < 40 << 20, "RSS grew from \(baseline >> 20) MB to \(after >> 20) MB and stayed")
    }

    /// Waits (up to 10 s) until every replaced engine has been freed.
    private func waitForRetirement(_ backend: ClamAVBackend) throws {
        let deadline = Date().addingTimeInterval(10)
        while backend.retiringEngines > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(backend.retiringEngines == 0)
    }
}
