import ScanmilterConfiguration
import Foundation
import Logging
import Sockets

/// Applies `[quarantine] max_age` and `max_bytes` once at start and then hourly, so the store
/// stays bounded without cron. Each purge is logged by the store; a failure only logs.
final class RetentionScheduler: Sendable {
    private let sink: (any QuarantineSink)?
    private let settings: QuarantineSettings
    private let logger: Logger
    private let job: BackgroundJob
    static let interval = Duration.seconds(3600)

    /// Purges `sink` by `settings` (`max_age`, `max_bytes`); nothing to do without a sink or limits.
    init(sink: (any QuarantineSink)?, settings: QuarantineSettings, logger: Logger) throws {
        self.sink = sink
        self.settings = settings
        self.logger = logger
        job = try BackgroundJob(name: "quarantine retention", logger: logger)
    }

    func start() {
        guard let sink, settings.maxAge > 0 || settings.maxBytes > 0 else { return }
        job.start { [self] stop in
            repeat { purge(sink) } while !stop.wait(for: Self.interval)
        }
    }

    func stop() {
        job.stop()
    }

    private func purge(_ sink: any QuarantineSink) {
        do {
            let summary = try sink.applyRetention(maxAge: settings.maxAge, maxBytes: settings.maxBytes)
            logger.info("quarantine retention applied", metadata: ["quarantine.purged": "\(summary)"])
        } catch {
            logger.error("quarantine retention failed", metadata: ["error": "\(error)"])
        }
    }
}
