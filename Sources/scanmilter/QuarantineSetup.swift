import Configuration
import Filter
import Logging
import Quarantine
import QuarantinePostgres

/// The quarantine store the `quarantine` and `hold` actions write to; opened only when an
/// action uses it, so a host that never quarantines needs no store.
enum QuarantineSetup {
    /// The shared store's schema is not this build's: the daemon never migrates, it refuses to
    /// start (exit 78) and says what to run.
    struct SchemaMismatch: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func sink(_ settings: ScanmilterConfig, logger: Logger) throws -> (any QuarantineSink)? {
        let actions = settings.actions
        let used = [actions.infected, actions.banned, actions.unscannable, actions.oversize]
            .contains { $0 == .quarantine || $0 == .hold }
        guard used else { return nil }
        let location = QuarantineStoreOpener.Location(settings.quarantine)
        do {
            return try QuarantineStoreOpener.open(location, logger: logger, createIfMissing: true, applicationName: "scanmilter")
        } catch where error.code == .schemaMismatch {
            throw SchemaMismatch(message: "[quarantine] store \(location.description): \(error.message)")
        } catch {
            let key = location.isShared ? "store" : "dir"
            throw FilterService.StartupError(component: "[quarantine] \(key) \(location.description)", message: "\(error)")
        }
    }

}
