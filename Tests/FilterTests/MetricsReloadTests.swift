import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Testing

/// Reloads started by the signature directory watcher (clamd's SelfCheck) show in the metrics:
/// a good new database counts as a reload, a broken one as a failure (the old engine stays).
@Suite struct MetricsReloadTests {
    @Test func watcherReloadsAndFailuresAreCounted() throws {
        let (service, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let watcher = try SignatureWatcher(
            directory: "\(dir)/db", interval: 0.2, reload: service.signatureReload(logger: Logger(label: "test")))
        watcher.start()
        defer { watcher.stop() }

        try "Test.Other:0:*:6f74686572207369676e6174757265\n".write(toFile: "\(dir)/db/other.ndb", atomically: true, encoding: .utf8)
        #expect(Self.wait { service.metrics.snapshot.reloads == 1 })

        try "not a signature line\n".write(toFile: "\(dir)/db/broken.ndb", atomically: true, encoding: .utf8)
        #expect(Self.wait { service.metrics.snapshot.reloadFailures == 1 })
        #expect(service.metrics.snapshot.reloads == 1)
        #expect(service.engineLoaded)  // a failed concurrent reload keeps the running engine
    }

    /// Polls `condition` for up to 10 seconds.
    static func wait(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
