import Filter
import Foundation
import MilterClient
import StableJSON

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
        guard case .object(let status)? = try? JSONDecoder().decode(JSONValue.self, from: json),
            case .string(let database)? = status["database"]
        else {
            return .failure(Problem(reason: "control socket \(controlSocket): status has no database: \(reply)"))
        }
        var loaded = database != Self.noEngineDescription
        if case .bool(let flag)? = status["engine_loaded"] { loaded = flag }
        guard loaded, !database.isEmpty else {
            return .failure(Problem(reason: "no scanning engine loaded (\(database.isEmpty ? "empty" : database))"))
        }
        guard case .array(let list)? = status["clamd_servers"] else { return .success("engine loaded: \(database)") }
        let servers = list.compactMap { item -> [String: String]? in
            guard case .object(let fields) = item else { return nil }
            return fields.compactMapValues { value in
                if case .string(let text) = value { return text }
                return nil
            }
        }
        return clamd(servers).map { "engine loaded: \(database); \($0)" }
    }

    /// Each clamd server's state and version (the text fields of the status); unhealthy when
    /// none takes scans.
    func clamd(_ servers: [[String: String]]) -> Result<String, Problem> {
        let lines = servers.map { server in
            let detail = server["version"] ?? server["last_error"] ?? "no version yet"
            return "clamd \(server["server"] ?? "?") \(server["state"] ?? "?") (\(detail))"
        }
        let summary = lines.joined(separator: "; ")
        guard servers.contains(where: { $0["state"] == "up" }) else {
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
