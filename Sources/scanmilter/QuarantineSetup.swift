import ScanmilterConfiguration
import Filter
import Logging
import Quarantine
import QuarantinePostgres

/// The quarantine store the `quarantine` and `hold` actions write to; opened only when an
/// action uses it, so a host that never quarantines needs no store. With scan workers it is
/// opened too, if it can be, for poison messages (they killed workers twice): the administrator
/// gets the sample; without a store they are rejected instead.
enum QuarantineSetup {
    /// The shared store's schema is not this build's: the daemon never migrates, it refuses to
    /// start (exit 78) and says what to run.
    struct SchemaMismatch: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func sink(_ settings: ScanmilterConfig, logger: Logger) throws -> (any QuarantineSink)? {
        // The file's own actions and every override's: a recipient's policy may quarantine.
        let used = ([settings.actions] + settings.overrides.map(\.actions)).contains { actions in
            [actions.infected, actions.banned, actions.unscannable, actions.oversize, actions.limitExceeded]
                .contains { $0 == .quarantine || $0 == .hold }
        }
        let forPoison = settings.scan.backend == .clamav && settings.scan.isolation == .workers
        guard used || forPoison else { return nil }
        let location = QuarantineStoreOpener.Location(settings.quarantine)
        do {
            return try QuarantineStoreOpener.open(location, logger: logger, createIfMissing: true, applicationName: "scanmilter")
        } catch where error.code == .schemaMismatch && used {
            throw SchemaMismatch(message: "[quarantine] store \(location.description): \(error.message)")
        } catch {
            guard used else {
                logger.warning("no quarantine store for poison messages; they will be rejected", metadata: [
                    "quarantine.store": "\(location.description)", "error": "\(error)",
                ])
                return nil
            }
            let key = location.isShared ? "store" : "dir"
            throw FilterService.StartupError(component: "[quarantine] \(key) \(location.description)", message: "\(error)")
        }
    }
}
