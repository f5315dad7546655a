import ArgumentParser
import ClamAV
import ScanmilterConfiguration
import Filter
import Foundation
import Glibc
import Logging
import Milter
import Scanning
import ScanWorkers

/// `scanmilter`: the content-scanning milter daemon. Runs in the foreground (systemd, containers).
///
/// Exit codes (sysexits): 0 stopped cleanly or the check passed, 71 (EX_OSERR) the socket or
/// privileges failed, 75 (EX_TEMPFAIL) the signatures could not be loaded, 78 (EX_CONFIG) the
/// configuration is invalid.
@main
struct ScanmilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanmilter",
        abstract: "Scan mail from Postfix for viruses and banned attachments (a milter).",
        discussion: """
            Runs in the foreground until SIGTERM or SIGINT, then finishes the messages in flight.
            Exit codes: 0 stopped cleanly (or --check passed), 71 socket or privilege failure,
            75 signatures could not be loaded, 78 invalid configuration (or a shared quarantine whose schema needs `scanmilterctl quarantine init`).
            Reload signatures with `scanmilterctl reload`; SIGHUP stops the daemon (libmilter's rule).
            """,
        version: FilterService.version
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config = "/etc/scanmilter/scanmilter.toml"

    @Flag(help: "Validate the configuration and load the signatures, then exit.")
    var check = false

    /// The scan zygote the daemon starts of itself (`[scan] isolation = "workers"`): it loads
    /// the signatures and forks the scan workers; its control socket is standard input.
    @Flag(help: .hidden)
    var scanZygote = false

    mutating func run() throws {
        // libmilter's signal thread must be the only one to see SIGHUP/SIGTERM/SIGINT: block
        // them before anything else starts a thread. SIGPIPE: a peer closing must not kill us.
        // SIGUSR1 (reopen the log file) is taken by the log reopener's sigtimedwait, so it too
        // must be blocked in every thread.
        Libmilter.blockStopSignals(also: [LogFile.reopenSignal])
        signal(SIGPIPE, SIG_IGN)
        // systemd's variables are for this process only: read them, then take them out of the
        // environment the update scheduler's children inherit (sd_notify's unset_environment).
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { unsetenv(name) }
        // Two malloc arenas per core rather than glibc's eight (ClamAVLibrary.limitHeapArenas),
        // unless the administrator chose through glibc's own variables.
        let environment = ProcessInfo.processInfo.environment
        if environment["MALLOC_ARENA_MAX"] == nil, environment["GLIBC_TUNABLES"] == nil {
            ClamAVLibrary.limitHeapArenas(to: 2 * ProcessInfo.processInfo.activeProcessorCount)
        }

        if scanZygote { Self.runZygote(config: config) }
        let settings: ScanmilterConfig
        do {
            settings = try ScanmilterConfig.load(path: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            // Every problem on its own line, so an administrator fixes the file in one pass.
            for problem in error.allProblems {
                FileHandle.standardError.write(Data("scanmilter: \(problem)\n".utf8))
            }
            throw ExitCode(78)
        }
        let (logger, logFile) = LogSetup.bootstrap(settings.log, environment: ProcessInfo.processInfo.environment)
        logger.notice("scanmilter starting", metadata: ["version": "\(FilterService.version)", "config": "\(config)"])
        let reopener = try logFile.map { try LogReopener(file: $0, logger: logger) }
        reopener?.start()
        defer { reopener?.stop() }
        let service: FilterService
        do {
            service = try FilterService.make(
                config: settings, quarantine: try QuarantineSetup.sink(settings, logger: logger), logger: logger,
                zygote: FilterService.ZygoteLaunch(executable: "/proc/self/exe", arguments: ["--scan-zygote", "--config", config]))
        } catch let error as QuarantineSetup.SchemaMismatch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("scanmilter: \(error)\n".utf8))
            throw ExitCode(78)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("scanmilter: \(error)\n".utf8))
            throw ExitCode(75)
        }
        if check {
            print("configuration \(config): ok")
            print("signatures: \(service.scanner.backend.databaseDescription)")
            return
        }
        do {
            try Daemon(service: service, configPath: config, notifier: notifier).run()
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("scanmilter: \(error)\n".utf8))
            throw ExitCode(71)
        }
    }

    /// The zygote's life: settings and log as the daemon's, the daemon's user, the engine, then
    /// forking workers until the daemon closes standard input.
    private static func runZygote(config: String) -> Never {
        // The daemon blocked its stop signals for libmilter; the zygote and its workers take
        // signals the default way (a worker killed by one is what the daemon reports).
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        let settings: ScanmilterConfig
        do {
            settings = try ScanmilterConfig.load(path: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("scanmilter scan zygote: \(error)\n".utf8))
            Glibc.exit(78)
        }
        let (logger, _) = LogSetup.bootstrap(settings.log, environment: ProcessInfo.processInfo.environment)
        do {
            try FilterService.dropPrivileges(settings.milter)
            let backend = try ClamAVBackend(settings: ClamAVBackendSettings(settings.scan), logger: logger)
            Zygote.run(
                backend: backend, sandbox: Sandbox(writableDirectory: settings.scan.tempDir, extraAddressSpace: settings.scan.workerMemory),
                logger: logger)
        } catch {
            logger.critical("scan zygote cannot start", metadata: ["error": "\(error)"])
            Glibc.exit(75)
        }
    }
}
