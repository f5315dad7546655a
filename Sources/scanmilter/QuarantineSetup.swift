import Configuration
import Filter
import Logging
import Quarantine

/// The quarantine store the `quarantine` and `hold` actions write to; opened only when an
/// action uses it, so a host that never quarantines needs no store directory. With scan
/// workers it is opened too, if it can be, for poison messages (they killed workers twice):
/// the administrator gets the sample; without a store they are rejected instead.
enum QuarantineSetup {
    static func sink(_ settings: ScanmilterConfig, logger: Logger) throws -> (any QuarantineSink)? {
        // The file's own actions and every override's: a recipient's policy may quarantine.
        let used = ([settings.actions] + settings.overrides.map(\.actions)).contains { actions in
            [actions.infected, actions.banned, actions.unscannable, actions.oversize, actions.limitExceeded]
                .contains { $0 == .quarantine || $0 == .hold }
        }
        let forPoison = settings.scan.backend == .clamav && settings.scan.isolation == .workers
        guard used || forPoison else { return nil }
        do {
            return try QuarantineStore(directory: settings.quarantine.dir, logger: logger)
        } catch {
            guard used else {
                logger.warning("no quarantine store for poison messages; they will be rejected", metadata: [
                    "quarantine.dir": "\(settings.quarantine.dir)", "error": "\(error)",
                ])
                return nil
            }
            throw FilterService.StartupError(component: "[quarantine] dir \(settings.quarantine.dir)", message: "\(error)")
        }
    }
}
