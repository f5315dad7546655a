import ArgumentParser
import ScanmilterConfiguration
import Filter
import Foundation
import Logging
import StableJSON
import Updater
#if canImport(Glibc)
import Glibc
#endif

extension SysExit {
    /// The exit status for an update failure. A refused download, a set that did not load or a
    /// failed canary are data errors: retrying gets the same data until the mirror changes. An
    /// unreachable or cooling-down mirror, a busy updater or an unconfirmed reload are tempFail.
    init(_ error: UpdateError) {
        switch error.code {
        case .downloadInvalid, .loadFailed, .canaryFailed: self = .dataError
        case .noPreviousSet: self = .noInput
        case .notWritable: self = .cantCreate
        case .diskFull, .installFailed: self = .ioError
        case .mirrorUnavailable, .mirrorRefused, .busy: self = .tempFail
        case .configuration: self = .config
        default: self = .tempFail
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
