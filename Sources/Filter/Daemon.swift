import Configuration
import Foundation
public import Logging
import Milter

/// The scanmilter process: opens the milter socket, drops privileges, serves the control
/// socket, watches the signature directory, runs libmilter until SIGTERM/SIGINT (or SIGHUP,
/// which libmilter also treats as stop), then lets messages in flight finish.
public struct Daemon: Sendable {
    public let service: FilterService
    /// The configuration file, handed to scheduled updates.
    public let configPath: String

    public init(service: FilterService, configPath: String) {
        self.service = service
        self.configPath = configPath
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
            directory: config.scan.databaseDir, interval: config.scan.reloadCheckInterval, reload: service.signatureReload(logger: logger))
        watcher.start()
        defer { watcher.stop() }
        let health = try service.scanner.clamd.map { try ClamdHealthMonitor(pool: $0, metrics: service.metrics, logger: logger) }
        health?.start()
        defer { health?.stop() }
        let updates = try UpdateScheduler(interval: config.update.interval, configPath: configPath, logger: logger)
        updates.start()
        defer { updates.stop() }
        let retention = try RetentionScheduler(sink: service.quarantine, settings: config.quarantine, logger: logger)
        retention.start()
        defer { retention.stop() }
        if !config.milter.pidfile.isEmpty { try writePidfile(config.milter.pidfile) }
        defer { if !config.milter.pidfile.isEmpty { unlink(config.milter.pidfile) } }

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
                    logger.notice("scanmilter ready", metadata: [
                        "milter.socket": "\(spec)", "scan.database": "\(service.scanner.backend.databaseDescription)",
                    ])
                } catch {
                    setupError = error
                    Libmilter.stop()
                }
            },
            factory: { service.makeSession() })
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
        let reload = service.signatureReload(logger: logger)
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
