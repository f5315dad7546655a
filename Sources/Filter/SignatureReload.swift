import Logging
import Sockets

/// Reloads the embedded engine's signatures, counts the reload, logs it and tells systemd
/// (`RELOADING=1` … `READY=1`): the one way the control socket's `reload` and the signature
/// watcher reload. A reload that fails leaves the running signatures in place.
struct SignatureReload: Sendable {
    /// The engine to reload.
    let scanner: ScannerHandle
    /// Counts reloads and failures.
    let metrics: Metrics
    /// Where the reload is logged.
    let logger: Logger
    /// Told when a reload starts and ends; does nothing outside systemd.
    var notifier = SystemdNotifier(environment: [:])

    /// Reloads; returns the new database's description, or throws why the old one stays.
    /// `trigger` says in the log line what asked for it (`control`, `directory change`).
    func run(trigger: String) throws -> String {
        notifier.tell(logger) { () throws(SocketError) in try notifier.reloading(status: "reloading signatures (\(trigger))") }
        do {
            let description = try scanner.reload()
            metrics.recordReload(succeeded: true)
            logger.notice("signatures reloaded", metadata: ["scan.database": "\(description)", "trigger": "\(trigger)"])
            notifier.tell(logger) { () throws(SocketError) in try notifier.ready(status: Self.status(description)) }
            return description
        } catch {
            metrics.recordReload(succeeded: false)
            logger.error("signature reload failed; the running signatures stay", metadata: ["error": "\(error)", "trigger": "\(trigger)"])
            let running = scanner.backend.databaseDescription
            notifier.tell(logger) { () throws(SocketError) in try notifier.ready(status: "signature reload failed; \(Self.status(running))") }
            throw error
        }
    }

    /// The `STATUS=` line while serving: the signature version in use.
    static func status(_ databaseDescription: String) -> String {
        "scanning with \(databaseDescription)"
    }
}
