import Foundation
import Logging
import Sockets

/// Applies `[quarantine] max_age` and `max_bytes` once at start and then hourly, so the store
/// stays bounded without cron. Each purge is logged by the store; a failure only logs.
final class RetentionScheduler: Sendable {
    private let service: FilterService
    private let logger: Logger
    private let job: BackgroundJob
    static let interval = Duration.seconds(3600)

    init(service: FilterService, logger: Logger) throws {
        self.service = service
        self.logger = logger
        job = try BackgroundJob(name: "quarantine retention", logger: logger)
    }

    func start() {
        let settings = service.config.quarantine
        guard service.quarantine != nil, settings.maxAge > 0 || settings.maxBytes > 0 else { return }
        job.start { [self] stop in
            repeat { purge() } while !stop.wait(for: Self.interval)
        }
    }

    func stop() {
        job.stop()
    }

    private func purge() {
        guard let sink = service.quarantine else { return }
        let settings = service.config.quarantine
        do {
            let summary = try sink.applyRetention(maxAge: settings.maxAge, maxBytes: settings.maxBytes)
            logger.info("quarantine retention applied", metadata: ["quarantine.purged": "\(summary)"])
        } catch {
            logger.error("quarantine retention failed", metadata: ["error": "\(error)"])
        }
    }
}
