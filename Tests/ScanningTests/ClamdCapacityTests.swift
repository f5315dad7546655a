import Foundation
@testable import Scanning
import Testing

/// What the clamd pool can take at once: the capacities of the servers in rotation, so that
/// adding a server adds room and a server that goes down or reloads takes its share away.
@Suite struct ClamdCapacityTests {
    @Test func capacityIsTheSumOverServersInRotation() {
        var pool = ClamdPoolState(capacities: [10, 20])
        #expect(pool.capacity == 30)
        let wasUp = pool.markDown(0, error: "refused", nextProbe: .now)
        #expect(wasUp)
        #expect(pool.capacity == 20)
        pool.servers[1].reloading = true
        #expect(pool.capacity == 0)
        pool.servers[1].reloading = false
        let cameBack = pool.recover(0)
        #expect(cameBack)
        #expect(pool.capacity == 30)
    }

    @Test func aFailedScanAndAFailedProbeEachTakeTheServerOutOfTheCapacity() {
        var pool = ClamdPoolState(capacities: [10, 10, 10])
        let index = pool.acquire(excluding: [])
        #expect(index == 0)
        _ = pool.fail(0, error: "timeout", nextProbe: .now)
        #expect(pool.capacity == 20 && pool.servers[0].inFlight == 0)
        _ = pool.probeFailed(2, error: "refused")
        #expect(pool.capacity == 10)
    }

    @Test func aServerWithoutItsOwnCapacityTakesClamdsDefaultMaxThreads() throws {
        var configuration = ClamdBackend.Configuration(servers: [.unix(path: "/nonexistent/a"), .unix(path: "/nonexistent/b")])
        configuration.capacities = [4]
        let pool = try ClamdBackend(configuration: configuration, logger: ClamdBackendTests.logger)
        #expect(pool.capacity == 4 + ClamdEndpoint.defaultMaxThreads)
        #expect(pool.serverStatus.map(\.capacity) == [4, 10])
        #expect(pool.prefersParallelScans)
    }

    @Test func aCapacityBelowOneIsRefused() {
        var configuration = ClamdBackend.Configuration(servers: [.unix(path: "/nonexistent/a")])
        configuration.capacities = [0]
        #expect(throws: ClamdBackend.ConfigurationError.self) {
            _ = try ClamdBackend(configuration: configuration, logger: ClamdBackendTests.logger)
        }
    }

    /// Against real clamd processes: a scan that finds a server dead takes its share away at once.
    @Test func aDeadServerFoundByAScanReducesTheCapacity() throws {
        let first = try ClamdTestServer(transport: .unix)
        let second = try ClamdTestServer(transport: .unix)
        var configuration = ClamdBackend.Configuration(
            servers: [first.endpoint, second.endpoint], connectTimeout: .milliseconds(500), readTimeout: .seconds(20),
            retryInterval: .seconds(60))
        configuration.capacities = [3, 5]
        let pool = try ClamdBackend(configuration: configuration, logger: ClamdBackendTests.logger)
        #expect(pool.capacity == 8)
        first.kill()
        // Two scans: the first idle server in turn is the dead one; its failure fails over.
        for _ in 0..<2 { #expect(pool.scan(ClamdBackendTests.cleanText[...]) == .clean) }
        #expect(pool.capacity == 5)
        try first.start()
        pool.checkServers()
        #expect(pool.capacity == 8)
    }
}
