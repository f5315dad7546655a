import ArgumentParser
import ScanmilterConfiguration
import Foundation
import StableJSON
import Updater

/// `scanmilterctl status`: what is installed, what the daemon runs, how the last update went.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the signature databases, the running daemon, the last update and the quarantine.",
        discussion: """
            Reads [scan] database_dir (versions, signature counts and ages, the set kept for \
            update --rollback, the last update from database_dir/.scanmilter/state.json) and asks \
            the daemon over [milter] control_socket which database it has loaded.

            Exit codes: 0 reported (a stopped daemon is reported, not an error); 78 configuration error.
            """
    )

    @OptionGroup var options: ConfigFileOption

    @Flag(help: "Print the status as one JSON object (stable keys).")
    var json = false

    func run() throws {
        let config = try options.load()
        let database = DatabaseStatus.read(directory: config.scan.databaseDir)
        let daemon = DaemonControl.status(socket: config.milter.controlSocket)
        let quarantine = statusQuarantineCounts(config)
        if json {
            printJSON(database: database, daemon: daemon, quarantine: quarantine)
        } else {
            printText(database: database, daemon: daemon, quarantine: quarantine)
        }
    }

    private func printJSON(database: DatabaseStatus, daemon: Result<String, DaemonControl.Failure>, quarantine: [String: Int]?) {
        var daemonJSON = StatusJSON.Daemon()
        switch daemon {
        case .success(let text):
            daemonJSON.running = .bool(true)
            // The daemon's own status object, or its text if it is not JSON.
            daemonJSON.status = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        case .failure(.notRunning(let reason)):
            (daemonJSON.running, daemonJSON.reason) = (.bool(false), reason)
        case .failure(.other(let reason)):
            daemonJSON.reason = reason
        }
        UpdateOutput.json(StatusJSON(database: StatusJSON.database(database, now: Date()), daemon: daemonJSON,
            quarantine: quarantine.map { .object($0.mapValues { .number(Double($0)) }) } ?? .null))
    }

    private func printText(database: DatabaseStatus, daemon: Result<String, DaemonControl.Failure>, quarantine: [String: Int]?) {
        let now = Date()
        UpdateOutput.line("database directory: \(database.directory)")
        for signed in database.databases {
            let built = signed.buildTime.formatted(.iso8601.year().month().day())
            UpdateOutput.line("  \(signed.name) version \(signed.version), built \(built) (\(Self.age(now.timeIntervalSince(signed.buildTime))) ago), \(signed.signatures) signatures")
        }
        if !database.files.isEmpty { UpdateOutput.line("  files: \(database.files.joined(separator: ", "))") }
        if let count = database.signatureCount { UpdateOutput.line("  signatures in the set: \(count)") }
        if let problem = database.problem { UpdateOutput.line("  problem: \(problem)") }
        UpdateOutput.line("  previous set for --rollback: " + (database.previousFiles.isEmpty ? "none" : database.previousFiles.joined(separator: ", ")))
        if let last = database.lastUpdate {
            let when = last.lastAttempt.formatted(.iso8601)
            UpdateOutput.line("last update: \(when), \(last.outcome): \(last.message)")
            if let daemon = last.daemon { UpdateOutput.line("  after install: \(daemon)") }
        } else {
            UpdateOutput.line("last update: never (no \(DatabaseLayout(directory: database.directory).stateFile))")
        }
        switch daemon {
        case .success(let text):
            UpdateOutput.line("daemon: running; \(Self.loadedDatabase(text))")
        case .failure(.notRunning(let reason)):
            UpdateOutput.line("daemon: not running (\(reason))")
        case .failure(.other(let reason)):
            UpdateOutput.line("daemon: unknown (\(reason))")
        }
        if let quarantine {
            UpdateOutput.line("quarantine: " + quarantine.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        } else {
            UpdateOutput.line("quarantine: not available")
        }
    }

    /// The daemon's loaded database from its status JSON ("database" key), or the JSON itself.
    static func loadedDatabase(_ json: String) -> String {
        if case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), let database = fields["database"] {
            return "loaded \(database)"
        }
        return "status \(json)"
    }

    /// A short age: "3 h", "2 d".
    static func age(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<3600: return "\(max(0, Int(seconds / 60))) min"
        case ..<172_800: return "\(Int(seconds / 3600)) h"
        default: return "\(Int(seconds / 86_400)) d"
        }
    }
}

/// `status --json`: `{"daemon", "database", "quarantine"}`, null where a part is unknown.
private struct StatusJSON: Encodable {
    /// The signature database, each database with its age.
    typealias Database = MergedObject<DatabaseStatus, Databases>

    struct Databases: Encodable {
        let databases: [MergedObject<DatabaseVersion, Age>]
    }

    struct Age: Encodable {
        let ageSeconds: Int
    }

    static func database(_ status: DatabaseStatus, now: Date) -> Database {
        Database(status, Databases(databases: status.databases.map { MergedObject($0, Age(ageSeconds: Int(now.timeIntervalSince($0.buildTime)))) }))
    }

    /// Whether the daemon runs (null: cannot tell), its status or why not.
    struct Daemon: Encodable {
        var running = JSONValue.null
        var status: JSONValue?
        var reason: String?
    }

    let database: Database
    let daemon: Daemon
    /// Entries by state, or null when the store cannot be read.
    let quarantine: JSONValue
}
