import ArgumentParser
import ScanmilterConfiguration
import Foundation
import StableJSON
import Updater

/// `scanmilterctl update`: download signature updates with libfreshclam, test them, install
/// them atomically and tell the running daemon to reload.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Download, test and install signature updates, then make the daemon reload them.",
        discussion: """
            Reads [update] and [scan] database_dir. Fetches [update] databases from the official \
            mirror (with its DNS version check) or from private_mirror, incrementally where cdiffs \
            exist, plus every custom_urls file. The complete new set is loaded in a scratch engine \
            and scanned over canary_dir (known-clean messages must stay clean) and a built-in EICAR \
            message (must be detected when the set has official databases); only then is it moved \
            into database_dir, the previous set kept for --rollback. The daemon is then asked to \
            reload over [milter] control_socket; a daemon that is not running is not an error. \
            Updates run one at a time (a lock in database_dir/.scanmilter).

            Exit codes (sysexits):
              0   updated, already current, rolled back, or tested (--dry-run)
              65  new set refused: bad signature, not a database, no load, canary
              66  --rollback: no previous set
              73  database_dir not writable
              74  disk full, or moving the files into place failed
              75  try again later: mirror down or refusing, another update
                  running, or the daemon did not confirm the reload
              78  configuration error
            "Already current" exits 0 so that cron jobs and systemd timers stay \
            quiet; the --json "outcome" key tells "updated" from "current".
            """
    )

    @OptionGroup var options: ConfigFileOption

    @Flag(help: "Download and test, but install nothing and do not reload the daemon.")
    var dryRun = false

    @Flag(help: "Print the outcome as one JSON object (stable keys).")
    var json = false

    @Flag(help: "Install the previous set again (tested first), and make the daemon reload it.")
    var rollback = false

    @Option(help: ArgumentHelp(
        "Keep running: update now and then every DURATION (e.g. 30m, 6h, 1d; at least 60s), each time in a fresh process.",
        valueName: "DURATION"))
    var every: UpdateInterval?

    @Flag(help: "Log progress to standard error.")
    var verbose = false

    func validate() throws {
        if rollback && (dryRun || every != nil) {
            throw ValidationError("--rollback cannot be combined with --dry-run or --every")
        }
        if let every, every.seconds < UpdateInterval.minimum {
            throw ValidationError("--every must be at least \(UpdateInterval.minimum) seconds")
        }
    }

    func run() throws {
        if let every {
            try UpdateLoop(interval: every, arguments: loopArguments()).run()
        }
        let config = try options.load()
        let updater = SignatureUpdater(configuration: updaterConfiguration(config), logger: UpdateOutput.logger(verbose: verbose))
        let report: UpdateReport
        do {
            report = rollback ? try updater.rollback() : try updater.update(dryRun: dryRun)
        } catch {
            if json {
                UpdateOutput.json(FailureJSON(error: .init(code: error.code.name, message: error.message)))
            } else {
                UpdateOutput.error(error.message)
            }
            throw CLIFailure(reported: SysExit(error))
        }

        let daemon = notifyDaemon(after: report, updater: updater, socket: config.milter.controlSocket)
        if json {
            UpdateOutput.json(MergedObject(report, ReportJSON(summary: report.summary, daemon: daemon)))
        } else {
            UpdateOutput.line(report.summary)
            if let daemon { UpdateOutput.line(daemon.line) }
        }
        if daemon?.state == "failed" { throw CLIFailure(reported: .tempFail) }
    }

    /// Asks the daemon to reload after an install, or when an earlier reload is still pending.
    private func notifyDaemon(after report: UpdateReport, updater: SignatureUpdater, socket: String) -> DaemonReload? {
        let pending = UpdateState.read(from: updater.layout.stateFile)?.reloadPending == true
        guard report.outcome == .updated || report.outcome == .rolledBack || (report.outcome == .current && pending) else {
            return nil
        }
        let answer = DaemonControl.reload(socket: socket)
        // Confirmed when the daemon reloaded, or when no daemon runs (it loads the set at start).
        updater.recordDaemonReload(answer.line, confirmed: answer.state != "failed")
        return answer
    }

    /// The same command without `--every`, for each round's child process.
    private func loopArguments() -> [String] {
        var arguments = ["update", "--config", options.config]
        if dryRun { arguments.append("--dry-run") }
        if json { arguments.append("--json") }
        if verbose { arguments.append("--verbose") }
        return arguments
    }

    /// The updater's settings from the configuration file.
    private func updaterConfiguration(_ config: ScanmilterConfig) -> UpdaterConfiguration {
        UpdaterConfiguration(
            databaseDirectory: config.scan.databaseDir,
            databases: config.update.databases,
            privateMirrors: config.update.privateMirror,
            customURLs: config.update.customURLs,
            proxy: config.update.proxy,
            userAgent: config.update.userAgent,
            canaryDirectory: config.update.canaryDir)
    }
}

/// `update --json` after a failure: `{"error": {"code", "message"}, "outcome": "failed"}`.
private struct FailureJSON: Encodable {
    struct Failure: Encodable {
        let code, message: String
    }

    let error: Failure
    let outcome = "failed"
}

/// `update --json`: the report's keys, its one-line `summary`, and the daemon's reload when asked.
private struct ReportJSON: Encodable {
    let summary: String
    let daemon: DaemonReload?
}
