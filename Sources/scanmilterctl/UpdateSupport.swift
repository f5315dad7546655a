import ArgumentParser
import Configuration
import Filter
import Foundation
import Logging
import StableJSON
import Updater
#if canImport(Glibc)
import Glibc
#endif

/// sysexits(3) codes of `update` and `status`, and which update failure maps to which.
enum UpdateExit {
    /// EX_DATAERR: a download was refused (signature, not a database), the set did not load,
    /// or the canary failed. Retrying gets the same data until the mirror changes.
    static let dataError: Int32 = 65
    /// EX_NOINPUT: `--rollback` found no previous set.
    static let noInput: Int32 = 66
    /// EX_CANTCREAT: the database directory is not writable.
    static let cantCreate: Int32 = 73
    /// EX_IOERR: the disk is full, or moving files into place failed.
    static let ioError: Int32 = 74
    /// EX_TEMPFAIL: mirror unreachable or cooling down, another update running, or the daemon
    /// did not confirm the reload. Retrying later is the fix.
    static let tempFail: Int32 = 75
    /// EX_CONFIG: the configuration is unusable.
    static let config: Int32 = 78

    static func code(for error: UpdateError) -> Int32 {
        switch error.code {
        case .downloadInvalid, .loadFailed, .canaryFailed: return dataError
        case .noPreviousSet: return noInput
        case .notWritable: return cantCreate
        case .diskFull, .installFailed: return ioError
        case .mirrorUnavailable, .mirrorRefused, .busy: return tempFail
        case .configuration: return config
        default: return tempFail
        }
    }
}

/// The options `update` and `status` share.
struct UpdateConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "FILE"))
    var config = UpdateConfigOption.defaultPath

    static let defaultPath = "/etc/scanmilter/scanmilter.toml"

    /// The configuration; a missing file at the default path means the defaults, any other
    /// problem exits with EX_CONFIG after one line naming the file and line.
    func load() throws -> ScanmilterConfig {
        if config == Self.defaultPath && !FileManager.default.fileExists(atPath: config) {
            return ScanmilterConfig()
        }
        do {
            return try ScanmilterConfig.load(path: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            UpdateOutput.error("\(error)")
            throw ExitCode(UpdateExit.config)
        }
    }
}

/// What the daemon said when asked to reload (or whether it could be asked at all).
struct DaemonReload: Codable, Equatable {
    /// "reloaded", "not-running", "failed" or "not-asked".
    var state: String
    /// The daemon's answer or the reason.
    var message: String

    var line: String {
        switch state {
        case "reloaded": return "daemon reloaded: \(message)"
        case "not-running": return "daemon not running (\(message)); it loads the new set when it starts"
        case "not-asked": return "daemon not asked to reload: \(message)"
        default: return "daemon did not reload: \(message)"
        }
    }
}

/// Talks to the running daemon over its control socket (`[milter] control_socket`).
enum DaemonControl {
    /// Asks the daemon to reload its signatures and waits for its confirmation.
    static func reload(socket: String) -> DaemonReload {
        guard !socket.isEmpty else { return DaemonReload(state: "not-asked", message: "no control_socket configured") }
        switch ask("reload", socket: socket) {
        case .success(let reply) where reply.hasPrefix("OK"):
            return DaemonReload(state: "reloaded", message: String(reply.dropFirst(2)).trimmingCharacters(in: .whitespaces))
        case .success(let reply):
            let reason = reply.hasPrefix("ERR") ? String(reply.dropFirst(3)).trimmingCharacters(in: .whitespaces) : reply
            return DaemonReload(state: "failed", message: reason.isEmpty ? "no answer" : reason)
        case .failure(.notRunning(let reason)):
            return DaemonReload(state: "not-running", message: reason)
        case .failure(.other(let reason)):
            return DaemonReload(state: "failed", message: reason)
        }
    }

    /// The daemon's `status` JSON, or why there is none.
    static func status(socket: String) -> Result<String, Failure> {
        guard !socket.isEmpty else { return .failure(.notRunning("no control_socket configured")) }
        return ask("status", socket: socket).flatMap { reply in
            reply.hasPrefix("OK") ? .success(String(reply.dropFirst(2)).trimmingCharacters(in: .whitespaces))
                : .failure(.other(reply))
        }
    }

    enum Failure: Error {
        /// Nobody listens on the socket: the daemon is not running.
        case notRunning(String)
        case other(String)
    }

    private static func ask(_ command: String, socket: String) -> Result<String, Failure> {
        do {
            return .success(try ControlServer.send(command, to: socket))
        } catch let error as ControlServer.SocketError where [ENOENT, ECONNREFUSED].contains(error.errno) {
            return .failure(.notRunning("nothing listens on \(socket)"))
        } catch {
            return .failure(.other("\(error)"))
        }
    }
}

/// Output of `update` and `status`: results on stdout, one-line errors on stderr.
enum UpdateOutput {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("scanmilterctl: " + text + "\n").utf8))
    }

    /// Prints `value` as JSON with sorted keys and ISO 8601 dates (stable output for scripts).
    static func json(_ value: some Encodable) {
        do {
            line(try StableJSONEncoder(sortedKeys: true, prettyPrinted: true).encode(value))
        } catch {
            Self.error("cannot write JSON: \(error)")
        }
    }

    /// Warnings from the updater go to stderr; progress stays quiet unless asked for.
    static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "scanmilterctl.update") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .info : .warning
        return logger
    }
}
