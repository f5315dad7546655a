import Logging
import Quarantine
extension FilterService {
    /// Whether scans can run (``ScannerHandle/engineLoaded``).
    public var engineLoaded: Bool { scanner.engineLoaded }

    /// The `/metrics` page as it stands now.
    func metricsPage() -> String {
        let stats: QuarantineStats?
        do {
            stats = try quarantine?.stats()
        } catch {
            // Counts that cannot be read are left out of the page; the rest still serves.
            stats = nil
        }
        return MetricsExposition(metrics: metrics.snapshot, scanner: scanner, demo: isDemoDatabase, quarantine: stats).render()
    }

    /// The one way this service's signatures are reloaded, logging to `logger`.
    func signatureReload(logger: Logger) -> SignatureReload {
        SignatureReload(scanner: scanner, metrics: metrics, logger: logger)
    }

    /// The `/status` answer of the control socket, as JSON.
    func statusJSON() -> String {
        StatusReport(metrics: metrics.snapshot, scanner: scanner).json()
    }

    /// The metrics endpoint's answer for `path`: `/metrics` (Prometheus text) or `/health`.
    public func metricsResponse(path: String) -> MetricsServer.Response {
        switch path {
        case "/metrics":
            return MetricsServer.Response(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metricsPage())
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
