import Foundation
import Logging
import Synchronization

/// Applies `[quarantine] max_age` and `max_bytes` once at start and then hourly, so the store
/// stays bounded without cron. Each purge is logged by the store; a failure only logs.
final class RetentionScheduler: Sendable {
    private let service: FilterService
    private let logger: Logger
    private let running = Atomic<Bool>(false)
    static let interval = 3600.0

    init(service: FilterService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    func start() {
        let settings = service.config.quarantine
        guard service.quarantine != nil, settings.maxAge > 0 || settings.maxBytes > 0 else { return }
        running.store(true, ordering: .releasing)
        Thread { [self] in loop() }.start()
    }

    func stop() {
        running.store(false, ordering: .releasing)
    }

    private func loop() {
        var waited = Self.interval
        while running.load(ordering: .acquiring) {
            if waited >= Self.interval {
                waited = 0
                purge()
            }
            usleep(500_000)
            waited += 0.5
        }
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
