import ArgumentParser
import ScanmilterConfiguration
import Filter
import Foundation

/// `scanmilterctl reload`: makes the running daemon load its signatures again, and says what
/// it loaded. Exit codes: 0 reloaded, 69 (EX_UNAVAILABLE) the daemon is not running,
/// 75 (EX_TEMPFAIL) the reload failed and the running signatures stay, 78 configuration error.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload the running daemon's signatures and confirm.",
        discussion: "Exit codes: 0 reloaded, 69 daemon not running, 75 reload failed (the running signatures stay), 78 configuration error."
    )

    @Option(name: .shortAndLong, help: "The configuration file (names the control socket).")
    var config = "/etc/scanmilter/scanmilter.toml"

    func run() throws {
        let socket = try ControlClient.socketPath(config: config)
        let reply = try ControlClient.send("reload", socket: socket)
        print("reloaded: \(reply)")
    }
}

/// Talks to the daemon's control socket for the commands that need it.
enum ControlClient {
    /// The control socket named by the configuration (environment overrides included).
    static func socketPath(config path: String) throws -> String {
        do {
            let settings = try ScanmilterConfig.load(path: path, environment: ProcessInfo.processInfo.environment)
            guard !settings.milter.controlSocket.isEmpty else {
                throw CLIFailure("the configuration has no [milter] control_socket", code: .config)
            }
            return settings.milter.controlSocket
        } catch let error as ConfigurationError {
            throw CLIFailure("\(error)", code: .config)
        }
    }

    /// Sends one command; the reply text after `OK`, or a failure with the right exit code.
    static func send(_ command: String, socket: String, timeout: Int = 300) throws -> String {
        let reply: String
        do {
            reply = try ControlServer.send(command, to: socket, timeout: timeout)
        } catch {
            throw CLIFailure("scanmilter is not running or not reachable at \(socket): \(error)", code: .unavailable)
        }
        if reply.hasPrefix("OK") { return String(reply.dropFirst(2).drop { $0 == " " }) }
        throw CLIFailure("scanmilter refused '\(command)': \(reply.hasPrefix("ERR ") ? String(reply.dropFirst(4)) : reply)", code: .tempFail)
    }
}
