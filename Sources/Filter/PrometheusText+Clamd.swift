import Scanning
import ScanWorkers

extension PrometheusText {
    /// Each clamd server's state and signatures, labelled by server.
    mutating func clamdServers(_ servers: [ClamdServerStatus]) {
        family("scanmilter_clamd_server_up", "gauge", "1 when the clamd server takes scans, 0 when down or reloading (state label).")
        for server in servers {
            sample("scanmilter_clamd_server_up", ["server": server.endpoint.description, "state": server.state],
                   server.isUp && !server.isReloading ? 1 : 0)
        }
        family("scanmilter_clamd_server_info", "gauge", "The clamd server's VERSION answer (label); always 1.")
        for server in servers {
            sample("scanmilter_clamd_server_info", ["server": server.endpoint.description, "version": server.version?.reply ?? ""], 1)
        }
        family("scanmilter_clamd_server_signature_version", "gauge", "The daily signature version the clamd server runs.")
        for server in servers {
            guard let version = server.version?.signatureVersion else { continue }
            sample("scanmilter_clamd_server_signature_version", ["server": server.endpoint.description], version)
        }
        family("scanmilter_clamd_server_max_threads", "gauge", "Scans the clamd server runs at once ([scan] clamd_max_threads or its own max_threads).")
        for server in servers {
            sample("scanmilter_clamd_server_max_threads", ["server": server.endpoint.description], server.capacity)
        }
        family("scanmilter_clamd_server_failures_total", "counter", "Failures seen on the clamd server (connect, timeout, I/O, protocol).")
        for server in servers {
            sample("scanmilter_clamd_server_failures_total", ["server": server.endpoint.description], server.failures)
        }
    }
}

extension PrometheusText {
    /// The scan workers of the isolated embedded engine, and how many died of what.
    mutating func scanWorkers(_ status: IsolatedScanBackend.Status) {
        gauge("scanmilter_scan_workers", "Scan worker processes alive (idle or scanning).", Double(status.workers))
        gauge("scanmilter_scan_workers_busy", "Scan workers scanning right now.", Double(status.busy))
        family("scanmilter_scan_worker_deaths_total", "counter", "Scan workers that died or were killed while scanning, by cause (a signal, seccomp, timeout).")
        for (cause, count) in status.deaths.sorted(by: { $0.key < $1.key }) {
            sample("scanmilter_scan_worker_deaths_total", ["cause": cause], count)
        }
    }
}
