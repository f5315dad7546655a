import Foundation
import Glibc
import Logging
import Scanning
import Synchronization
import Testing

/// The clamd pool's health check, signature versions and one-at-a-time reload, against two real
/// clamd processes that load ClamAV's signed test databases as their daily database.
@Suite(.serialized) struct ClamdPoolTests {
    static let marker: ScanVerdict = .infected(["\(TestDatabase.markerSignature).UNOFFICIAL"])

    static func pool(_ servers: [ClamdTestServer], settle: Duration = .seconds(1)) throws -> ClamdBackend {
        var configuration = ClamdBackend.Configuration(
            servers: servers.map(\.endpoint), connectTimeout: .milliseconds(500), readTimeout: .seconds(20),
            retryInterval: .seconds(60))
        configuration.reloadSettle = settle
        configuration.reloadTimeout = .seconds(30)
        return try ClamdBackend(configuration: configuration, logger: ClamdBackendTests.logger)
    }

    @Test func theHealthCheckReadsEachServersSignatureVersionAndBuildTime() throws {
        let first = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let second = try ClamdTestServer(transport: .unix, signedDaily: "test-4.cvd")
        let pool = try Self.pool([first, second])
        #expect(pool.databaseDescription == "clamd (version not yet known)")
        #expect(pool.oldestVersion == nil)

        let status = pool.checkServers()
        #expect(status.map { $0.version?.signatureVersion } == [3, 4])
        #expect(status.allSatisfy { $0.state == "up" && $0.version?.engine.isEmpty == false })
        // The oldest signatures in rotation are what a message may meet: the staleness policy
        // and X-Virus-Scanned go by them.
        let oldest = try #require(pool.oldestVersion)
        #expect(oldest.signatureVersion == 3)
        let built = try #require(oldest.buildTime)
        #expect(built.timeIntervalSince1970 > 1_000_000_000 && built < Date())
        #expect(pool.databaseDescription.contains("daily 3 (") && pool.databaseDescription.hasSuffix("via clamd"))
        #expect(pool.serversBehind().versions == [3, 4] && pool.serversBehind().behind == [0])
    }

    @Test func theHealthCheckTakesADeadServerOutBeforeAScanMeetsItAndBringsItBack() throws {
        let first = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let second = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let pool = try Self.pool([first, second])
        pool.checkServers()
        first.kill()
        var status = pool.checkServers()
        #expect(status.map(\.state) == ["down", "up"])
        #expect(status[0].failures == 1)
        // No scan is sent to the dead server: none fails over, none fails.
        for _ in 0..<10 { #expect(pool.scan(ClamdBackendTests.markerText[...]) == Self.marker) }
        status = pool.serverStatus
        #expect(status[0].failures == 1 && status[0].scans == 0 && status[1].scans == 10)

        try first.start()
        status = pool.checkServers()
        #expect(status.map(\.state) == ["up", "up"])
        #expect(status[0].version?.signatureVersion == 3)
        for _ in 0..<10 { #expect(pool.scan(ClamdBackendTests.cleanText[...]) == .clean) }
        #expect(pool.serverStatus[0].scans > 0)
    }

    @Test func aPoolReloadUnderLoadLosesNoScanAndReloadsOneServerAtATime() throws {
        let first = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let second = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let pool = try Self.pool([first, second])
        pool.checkServers()
        try first.installDaily("test-4.cvd")
        try second.installDaily("test-4.cvd")

        let wrong = Mutex<[String]>([])
        let scans = Atomic<Int>(0)
        let reloading = Atomic<Bool>(true)
        let overlap = Atomic<Int>(0)
        let outcomes = Mutex<[ClamdReloadOutcome]>([])
        let workers = 8
        TestThreads.run(workers + 2) { worker in
            switch worker {
            case workers:
                // The reload starts once scans are flowing.
                while scans.load(ordering: .relaxed) < 20 { usleep(1000) }
                do {
                    let result = try pool.reloadPool()
                    outcomes.withLock { $0 = result }
                } catch {
                    wrong.withLock { $0.append("reload: \(error)") }
                }
                reloading.store(false, ordering: .relaxed)
            case workers + 1:
                // Never both servers out of rotation at once.
                while reloading.load(ordering: .relaxed) {
                    if pool.serverStatus.filter({ $0.isReloading || !$0.isUp }).count > 1 { overlap.add(1, ordering: .relaxed) }
                    usleep(2000)
                }
            default:
                var round = 0
                while reloading.load(ordering: .relaxed) || round < 20 {
                    let (content, expected) = round % 3 == 0
                        ? (ClamdBackendTests.markerText, Self.marker) : (ClamdBackendTests.cleanText, ScanVerdict.clean)
                    let verdict = pool.scan(content[...])
                    if verdict != expected { wrong.withLock { $0.append("\(verdict)") } }
                    scans.add(1, ordering: .relaxed)
                    round += 1
                }
            }
        }
        #expect(wrong.withLock { $0 } == [])
        #expect(overlap.load(ordering: .relaxed) == 0)
        let result = outcomes.withLock { $0 }
        #expect(result.map { $0.before?.signatureVersion } == [3, 3])
        #expect(result.map { $0.after?.signatureVersion } == [4, 4])
        #expect(result.allSatisfy { $0.error == nil }, "\(result)")
        let status = pool.serverStatus
        #expect(status.allSatisfy { $0.state == "up" && $0.version?.signatureVersion == 4 })
        #expect(status.allSatisfy { $0.failures == 0 })
        #expect(pool.databaseDescription.contains("daily 4 ("))
    }

    @Test func aServerLeftBehindIsFoundAndReloadedAlone() throws {
        let first = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let second = try ClamdTestServer(transport: .unix, signedDaily: "test-3.cvd")
        let pool = try Self.pool([first, second])
        try first.installDaily("test-4.cvd")
        try second.installDaily("test-4.cvd")
        // Only the second server hears about the update.
        try ClamdClient(endpoint: second.endpoint).reload()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, pool.checkServers()[1].version?.signatureVersion != 4 { usleep(50_000) }
        #expect(pool.serversBehind() == (versions: [3, 4], behind: [0]))

        let result = try pool.reloadPool(only: pool.serversBehind().behind)
        #expect(result.count == 1 && result.first?.endpoint == first.endpoint)
        #expect(result.first?.after?.signatureVersion == 4, "\(result)")
        #expect(pool.serversBehind() == (versions: [4], behind: []))
    }

    @Test func aReloadWithNoNewSignaturesTakesTheServerBackOnceItAnswers() throws {
        let first = try ClamdTestServer(transport: .unix)
        let second = try ClamdTestServer(transport: .unix)
        let pool = try Self.pool([first, second], settle: .milliseconds(300))
        let result = try pool.reloadPool()
        #expect(result.allSatisfy { $0.error == nil && $0.before == $0.after && $0.after?.engine.isEmpty == false }, "\(result)")
        #expect(pool.serverStatus.allSatisfy { $0.state == "up" })
        #expect(pool.scan(ClamdBackendTests.markerText[...]) == Self.marker)
    }

    @Test func aDownServerIsSkippedByAPoolReload() throws {
        let first = try ClamdTestServer(transport: .unix)
        let second = try ClamdTestServer(transport: .unix)
        let pool = try Self.pool([first, second], settle: .milliseconds(300))
        second.kill()
        pool.checkServers()
        let result = try pool.reloadPool()
        #expect(result[0].error == nil)
        #expect(result[1].error?.contains("down") == true)
        #expect(pool.scan(ClamdBackendTests.cleanText[...]) == .clean)
    }
}
