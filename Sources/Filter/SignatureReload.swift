import Logging

/// Reloads the embedded engine's signatures, counts the reload and logs it: the one way the
/// control socket's `reload` and the signature watcher reload. A reload that fails leaves the
/// running signatures in place.
struct SignatureReload: Sendable {
    /// The engine to reload.
    let scanner: ScannerHandle
    /// Counts reloads and failures.
    let metrics: Metrics
    /// Where the reload is logged.
    let logger: Logger

    /// Reloads; returns the new database's description, or throws why the old one stays.
    /// `trigger` says in the log line what asked for it (`control`, `directory change`).
    func run(trigger: String) throws -> String {
        do {
            let description = try scanner.reload()
            metrics.recordReload(succeeded: true)
            logger.notice("signatures reloaded", metadata: ["scan.database": "\(description)", "trigger": "\(trigger)"])
            return description
        } catch {
            metrics.recordReload(succeeded: false)
            logger.error("signature reload failed; the running signatures stay", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
