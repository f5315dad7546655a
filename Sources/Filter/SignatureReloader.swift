import Logging
import Sockets

/// One signature reload, whoever asked for it (`scanmilterctl reload`, the signature watcher):
/// tells systemd (`RELOADING=1` … `READY=1`), counts it, logs it once.
struct SignatureReloader: Sendable {
    let scanner: ScannerHandle
    let metrics: Metrics
    let notifier: SystemdNotifier
    let logger: Logger

    /// Reloads; returns the new signatures' description, or throws and keeps the running ones.
    func reload(trigger: String) throws -> String {
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
