import ScanmilterConfiguration
import Foundation
public import Logging
import Milter
import Sockets

/// The scanmilter process: opens the milter socket, drops privileges, serves the control
/// socket, watches the signature directory, runs libmilter until SIGTERM/SIGINT (or SIGHUP,
/// which libmilter also treats as stop), then lets messages in flight finish.
public struct Daemon: Sendable {
    public let service: FilterService
    /// The configuration file, handed to scheduled updates.
    public let configPath: String
    /// Tells systemd when the daemon is ready, reloading, stopping and alive.
    public let notifier: SystemdNotifier

    public init(service: FilterService, configPath: String, notifier: SystemdNotifier = SystemdNotifier(environment: [:])) {
        self.service = service
        self.configPath = configPath
        self.notifier = notifier
    }

    /// The one way signatures are reloaded here; it tells systemd RELOADING=1 … READY=1.
    private var reload: SignatureReload {
        var reload = service.signatureReload(logger: logger)
        reload.notifier = notifier
        return reload
    }

    /// The service's logger: the daemon logs where the service does.
    public var logger: Logger { service.logger }

    /// Runs until stopped; throws when the socket cannot be opened or privileges not dropped.
    public func run() throws {
        let config = service.config
        let control = try startControlSocket()
        defer { control?.stop() }
        let metricsServer = try service.startMetricsServer()
        defer { metricsServer?.stop() }
        let watcher = try SignatureWatcher(
            directory: config.scan.databaseDir, interval: config.scan.reloadCheckInterval, reload: reload)
        watcher.start()
        defer { watcher.stop() }
        let health = try service.scanner.clamd.map { try ClamdHealthMonitor(pool: $0, metrics: service.metrics, logger: logger) }
        health?.start()
        defer { health?.stop() }
        let updates = try UpdateScheduler(interval: config.update.interval, configPath: configPath, logger: logger)
        updates.start()
        defer { updates.stop() }
        service.notifier?.start()
        defer { service.notifier?.stop() }
        let retention = try RetentionScheduler(sink: service.quarantine, settings: config.quarantine, logger: logger)
        retention.start()
        defer { retention.stop() }
        if !config.milter.pidfile.isEmpty { try writePidfile(config.milter.pidfile) }
        defer { if !config.milter.pidfile.isEmpty { unlink(config.milter.pidfile) } }
        let watchdog = try Watchdog(notifier: notifier, socket: try SocketSpec(config.milter.socket), scanner: service.scanner, logger: logger)
        defer { watchdog.stop() }

        var setupError: (any Error)?
        try runMilter(
            name: "scanmilter", socket: config.milter.socket,
            timeout: .milliseconds(Int64(config.milter.timeout * 1000)), removeStaleSocket: true,
            actions: ScanSession.requiredActions, exceptionPolicy: .tempfail,
            backlog: config.milter.backlog, logger: logger,
            onListening: { spec in
                do {
                    try Privileges.prepareSocket(spec.path, settings: config.milter)
                    try Privileges.drop(user: config.milter.user, group: config.milter.group)
                    if service.isDemoDatabase {
                        logger.warning("running on the DEMO signature database: only the EICAR test file is detected; run scanmilterctl update")
                    }
                    let database = service.scanner.backend.databaseDescription
                    logger.notice("scanmilter ready", metadata: [
                        "milter.socket": "\(spec)", "scan.database": "\(database)", "version": "\(FilterService.version)",
                    ])
                    // The socket listens (connections queue until libmilter's loop takes them)
                    // and the engine is loaded: Postfix may connect now.
                    notifier.tell(logger) { () throws(SocketError) in try notifier.ready(status: SignatureReload.status(database)) }
                    watchdog.start()
                } catch {
                    setupError = error
                    Libmilter.stop()
                }
            },
            factory: { service.makeSession() })
        notifier.tell(logger) { () throws(SocketError) in try notifier.stopping(status: "stopping; finishing messages in flight") }
        if let setupError { throw setupError }
        waitForMessagesInFlight()
    }

    /// libmilter has stopped accepting; give messages in flight up to `shutdown_timeout`.
    private func waitForMessagesInFlight() {
        let deadline = ContinuousClock.now + .milliseconds(Int64(service.config.milter.shutdownTimeout * 1000))
        while ContinuousClock.now < deadline {
            let inFlight = service.metrics.snapshot.inFlight
            if inFlight == 0 { break }
            logger.info("waiting for messages in flight", metadata: ["count": "\(inFlight)"])
            usleep(100_000)
        }
        logger.notice("scanmilter stopped")
    }

    private func startControlSocket() throws -> ControlServer? {
        let path = service.config.milter.controlSocket
        guard !path.isEmpty else { return nil }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let service = self.service
        let reload = self.reload
        let server = try ControlServer(path: path, logger: logger) { command, _ in
            switch command {
            case "ping":
                return "pong"
            case "reload":
                return try reload.run(trigger: "control")
            case "status":
                return service.statusJSON()
            default:
                throw UnknownControlCommand(message: "unknown command '\(command)'; commands: ping, reload, status")
            }
        }
        server.start()
        return server
    }

    private func writePidfile(_ path: String) throws {
        try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// A control socket command this daemon does not know.
struct UnknownControlCommand: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
