import Filter
import Foundation
import MilterClient

/// The two checks behind `scanmilterctl health`, as a value so tests can run them directly.
struct HealthCheck {
    /// Why the daemon is not healthy.
    struct Problem: Error, Equatable {
        var reason: String
    }

    /// The daemon's milter socket, as in `[milter] socket`.
    var milterSocket: String
    /// The daemon's control socket; empty means none is configured.
    var controlSocket: String
    var timeout: Duration

    /// What an older daemon's `status` says when no engine is loaded (before `engine_loaded` existed).
    static let noEngineDescription = "no signature database loaded"

    /// Runs both checks; the success value says what answered.
    func run() -> Result<String, Problem> {
        milter().flatMap { milter in engine().map { "\(milter); \($0)" } }
    }

    /// Connects to the milter socket and negotiates; a refused connection, a timeout or a
    /// malformed answer are all failures.
    func milter() -> Result<String, Problem> {
        let spec: MilterSocketSpec
        do {
            spec = Self.reachable(try MilterSocketSpec(parsing: milterSocket))
        } catch {
            return .failure(Problem(reason: "milter socket '\(milterSocket)': \(error)"))
        }
        var options = MilterConnection.Options()
        options.connectTimeout = timeout
        options.commandTimeout = timeout
        do {
            let connection = try MilterConnection.open(spec, options: options)
            defer { connection.close() }
            let version = connection.negotiated.map { " (protocol \($0.version))" } ?? ""
            try? connection.quit()
            return .success("milter on \(spec) negotiated\(version)")
        } catch {
            return .failure(Problem(reason: "milter on \(spec) did not negotiate: \(error)"))
        }
    }

    /// Asks the control socket for `status` and checks that signatures are loaded.
    func engine() -> Result<String, Problem> {
        guard !controlSocket.isEmpty else {
            return .failure(Problem(reason: "no [milter] control_socket configured: cannot tell whether an engine is loaded"))
        }
        let seconds = Int(timeout.components.seconds)
        let reply: String
        do {
            reply = try ControlServer.send("status", to: controlSocket, timeout: max(1, seconds))
        } catch {
            return .failure(Problem(reason: "control socket \(controlSocket): \(error)"))
        }
        guard reply.hasPrefix("OK ") else {
            return .failure(Problem(reason: "control socket \(controlSocket) answered '\(reply)'"))
        }
        let json = Data(reply.dropFirst(3).utf8)
        guard let status = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let database = status["database"] as? String
        else {
            return .failure(Problem(reason: "control socket \(controlSocket): status has no database: \(reply)"))
        }
        let loaded = status["engine_loaded"] as? Bool ?? (database != Self.noEngineDescription)
        guard loaded, !database.isEmpty else {
            return .failure(Problem(reason: "no scanning engine loaded (\(database.isEmpty ? "empty" : database))"))
        }
        guard let servers = status["clamd_servers"] as? [[String: Any]] else { return .success("engine loaded: \(database)") }
        return clamd(servers).map { "engine loaded: \(database); \($0)" }
    }

    /// Each clamd server's state and version; unhealthy when none takes scans.
    func clamd(_ servers: [[String: Any]]) -> Result<String, Problem> {
        let lines = servers.map { server in
            let name = server["server"] as? String ?? "?"
            let state = server["state"] as? String ?? "?"
            let detail = (server["version"] as? String) ?? (server["last_error"] as? String) ?? "no version yet"
            return "clamd \(name) \(state) (\(detail))"
        }
        let summary = lines.joined(separator: "; ")
        guard servers.contains(where: { $0["state"] as? String == "up" }) else {
            return .failure(Problem(reason: "no clamd server takes scans: \(summary)"))
        }
        return .success(summary)
    }

    /// A daemon listening on every address (0.0.0.0, ::) is reached on loopback.
    static func reachable(_ spec: MilterSocketSpec) -> MilterSocketSpec {
        switch spec {
        case .inet(let host, let port) where host.isEmpty || host == "0.0.0.0" || host == "*":
            return .inet(host: "127.0.0.1", port: port)
        case .inet6(let host, let port) where host.isEmpty || host == "::":
            return .inet6(host: "::1", port: port)
        default:
            return spec
        }
    }
}
