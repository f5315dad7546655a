import Foundation

/// The daemon's state for `scanmilterctl status` and health checks, as one JSON object.
struct StatusReport {
    let service: FilterService

    func json() -> String {
        let counters = service.counters.withLock { $0 }
        var object: [String: Any] = [
            "version": FilterService.version,
            "pid": Int(getpid()),
            "database": service.scanner.backend.databaseDescription,
            // The embedded engine can be absent after an in-place reload failed; clamd servers
            // are checked per scan, so the pool counts as loaded.
            "engine_loaded": service.scanner.embedded.map { $0.database != nil } ?? true,
            "connections": counters.connections,
            "messages": counters.messages,
            "in_flight": counters.inFlight,
            "bypassed": counters.bypassed,
            "verdicts": counters.byVerdict,
            "actions": counters.byAction,
        ]
        if let clamd = service.scanner.clamd {
            object["clamd_servers"] = clamd.serverStatus.map { server -> [String: Any] in
                var entry: [String: Any] = [
                    "server": server.endpoint.description, "state": server.state, "in_flight": server.inFlight,
                    "scans": server.scans, "failures": server.failures,
                ]
                entry["version"] = server.version?.reply
                entry["last_error"] = server.lastError
                return entry
            }
        }
        if let built = service.scanner.signatureBuildTime {
            object["database_build_time"] = ISO8601DateFormatter().string(from: built)
            object["database_age_seconds"] = Int(Date().timeIntervalSince(built))
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
