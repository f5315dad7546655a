import Foundation
import Logging
import Scanning
import Sockets

/// Health-checks the clamd pool in the background: every `interval` it PINGs each server and asks
/// it for VERSION (``ClamdBackend/checkServers()``), so a dead server leaves rotation before mail
/// meets it and one that answers again comes back; and when servers in rotation run different
/// signature versions (one missed its reload), it reloads the ones behind, one at a time.
final class ClamdHealthMonitor: Sendable {
    private let pool: ClamdBackend
    private let metrics: Metrics
    private let logger: Logger
    private let interval: Duration
    private let job: BackgroundJob

    /// A monitor of `pool` that checks every `interval` (the pool's retry interval by default).
    init(pool: ClamdBackend, metrics: Metrics, logger: Logger, interval: Duration? = nil) throws {
        self.pool = pool
        self.metrics = metrics
        self.logger = logger
        self.interval = interval ?? pool.configuration.retryInterval
        job = try BackgroundJob(name: "clamd health check", logger: logger)
    }

    /// Checks once before returning (so the signatures' age is known before the first message
    /// is judged), then every `interval` in the background.
    func start() {
        let first = check(lastAttempt: nil)
        job.start { [self] stop in
            var attempted = first
            while !stop.wait(for: interval) { attempted = check(lastAttempt: attempted) }
        }
    }

    func stop() {
        job.stop()
    }

    /// One round. Servers behind the newest version are reloaded once per set of versions seen
    /// (`lastAttempt`, returned for the next round): a server whose database directory really is
    /// older is not reloaded again every round.
    func check(lastAttempt: Set<Int>?) -> Set<Int>? {
        let status = pool.checkServers()
        let (versions, behind) = pool.serversBehind()
        guard !behind.isEmpty else { return nil }
        guard versions != lastAttempt else { return lastAttempt }
        logger.notice("clamd servers run different signature versions; reloading the ones behind", metadata: [
            "clamd.versions": "\(versions.sorted())", "clamd.behind": "\(behind.sorted().map { status[$0].endpoint.description })",
        ])
        do {
            let outcomes = try pool.reloadPool(only: behind)
            let succeeded = outcomes.allSatisfy { $0.error == nil }
            metrics.recordReload(succeeded: succeeded)
            logger.notice("clamd pool reloaded", metadata: [
                "trigger": "version mismatch", "clamd.outcomes": "\(outcomes.map(\.description))",
            ])
        } catch {
            // Another reload is under way: the next round looks again.
            logger.info("clamd pool reload not started", metadata: ["error": "\(error)"])
            return lastAttempt
        }
        return versions
    }
}
