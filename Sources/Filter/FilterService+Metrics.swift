extension FilterService {
    /// Whether scans can run: the embedded engine has a database loaded, or the backend is clamd
    /// (whose servers load their own; the clamd pool reports them unavailable per scan).
    public var engineLoaded: Bool {
        guard let embedded = scanner.embedded else { return true }
        return embedded.database != nil
    }

    /// The metrics endpoint's answer for `path`: `/metrics` (Prometheus text) or `/health`.
    public func metricsResponse(path: String) -> MetricsServer.Response {
        switch path {
        case "/metrics":
            return MetricsServer.Response(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: MetricsExposition(service: self).render())
        case "/health", "/healthz":
            if engineLoaded {
                return MetricsServer.Response(status: 200, body: "ok: \(scanner.backend.databaseDescription)\n")
            }
            return MetricsServer.Response(status: 503, body: "no scanning engine loaded: \(scanner.backend.databaseDescription)\n")
        default:
            return MetricsServer.Response(status: 404, body: "not found; try /metrics or /health\n")
        }
    }

    /// Opens the `[metrics] listen` endpoint and serves it; nil when the key is empty (off).
    public func startMetricsServer() throws -> MetricsServer? {
        let address = config.metrics.listen
        guard !address.isEmpty else { return nil }
        let server = try MetricsServer(listen: address, logger: logger) { [self] path in metricsResponse(path: path) }
        server.start()
        return server
    }
}
