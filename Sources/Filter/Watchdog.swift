import Logging
import Milter
import Scanning
import Sockets

/// Sends systemd's `WATCHDOG=1` every half of `WatchdogSec=` (`$WATCHDOG_USEC`), each time
/// only after checking that the milter listener is still open and the engine still scans.
///
/// Why check instead of pinging blindly: a ping from a thread that does nothing else proves
/// only that this thread runs. If the listener is gone or the engine hangs or fails, the pings
/// stop and systemd restarts the daemon after `WatchdogSec=` (`Restart=on-failure`). The
/// engine is checked by scanning a few clean bytes inline: an engine that hangs hangs this
/// check too. Behind clamd the engine is clamd's and is not checked here: restarting
/// scanmilter would not restart clamd.
final class Watchdog: Sendable {
    private let notifier: SystemdNotifier
    private let socket: SocketSpec
    private let scanner: ScannerHandle
    private let logger: Logger
    private let job: BackgroundJob

    /// The bytes scanned by each check; no signature can match them.
    static let probe = Array("scanmilter watchdog probe\n".utf8)

    init(notifier: SystemdNotifier, socket: SocketSpec, scanner: ScannerHandle, logger: Logger) throws {
        self.notifier = notifier
        self.socket = socket
        self.scanner = scanner
        self.logger = logger
        job = try BackgroundJob(name: "watchdog", logger: logger)
    }

    /// Starts the pings when systemd asked for them; otherwise does nothing.
    func start() {
        guard notifier.isEnabled, let interval = notifier.watchdogInterval else { return }
        logger.info("systemd watchdog on", metadata: ["watchdog.interval_ms": "\(interval / .milliseconds(1))"])
        job.start { [self] stop in
            var failing = false
            repeat {
                if let problem = check() {
                    if !failing { logger.error("watchdog check failed; not telling systemd we are alive", metadata: ["problem": "\(problem)"]) }
                    failing = true
                } else {
                    if failing { logger.notice("watchdog check passes again") }
                    failing = false
                    notifier.tell(logger) { () throws(SocketError) in try notifier.watchdog() }
                }
            } while !stop.wait(for: interval / 2)
        }
    }

    func stop() {
        job.stop()
    }

    /// Nil when the daemon is alive, else what is wrong.
    func check() -> String? {
        guard socket.isListeningInThisProcess else { return "the milter socket \(socket) is no longer listening" }
        guard scanner.embedded != nil else { return nil }
        let verdict = scanner.backend.scan(Self.probe[...])
        guard verdict == .clean else { return "the engine answered \(verdict) for a clean probe" }
        return nil
    }
}
