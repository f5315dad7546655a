import Foundation
import Scanning
import ScanWorkers
import StableJSON

/// The daemon's state for `scanmilterctl status` and health checks, as one JSON object with
/// sorted keys (`database_build_time` and `database_age_seconds` only when the build time is known).
struct StatusReport: Encodable {
    let version, database: String
    let pid, connections, messages, inFlight, bypassed: Int
    let engineLoaded: Bool
    let verdicts, actions: [String: Int]
    let databaseBuildTime: Date?
    let databaseAgeSeconds: Int?
    /// Each clamd server's state and version, with the clamd backend only.
    let clamdServers: [ClamdServer]?
    /// The scan workers, with the isolated embedded engine only.
    let scanWorkers: ScanWorkers?

    enum CodingKeys: String, CodingKey {
        case version, pid, database, engineLoaded = "engine_loaded", connections, messages, inFlight = "in_flight",
            bypassed, verdicts, actions, databaseBuildTime = "database_build_time", databaseAgeSeconds = "database_age_seconds",
            clamdServers = "clamd_servers", scanWorkers = "scan_workers"
    }

    /// The worker processes of the isolated engine.
    struct ScanWorkers: Encodable {
        let workers, busy: Int
        let zygotePID: Int
        let deaths: [String: Int]
        let confinement: String

        enum CodingKeys: String, CodingKey {
            case workers, busy, zygotePID = "zygote_pid", deaths, confinement
        }

        init(_ status: IsolatedScanBackend.Status) {
            workers = status.workers
            busy = status.busy
            zygotePID = Int(status.zygotePID)
            deaths = status.deaths
            confinement = status.confinement
        }
    }

    /// One clamd server (`version` and `last_error` only when known).
    struct ClamdServer: Encodable {
        let server, state: String
        let inFlight, maxThreads, scans, failures: Int
        let version, lastError: String?

        enum CodingKeys: String, CodingKey {
            case server, state, inFlight = "in_flight", maxThreads = "max_threads", scans, failures, version, lastError = "last_error"
        }

        init(_ status: ClamdServerStatus) {
            server = status.endpoint.description
            state = status.state
            inFlight = status.inFlight
            maxThreads = status.capacity
            scans = status.scans
            failures = status.failures
            version = status.version?.reply
            lastError = status.lastError
        }
    }

    init(metrics: Metrics.Snapshot, scanner: ScannerHandle) {
        version = FilterService.version
        pid = Int(getpid())
        database = scanner.backend.databaseDescription
        engineLoaded = scanner.engineLoaded
        connections = metrics.connections
        messages = metrics.messages
        inFlight = metrics.inFlight
        bypassed = metrics.bypassed
        verdicts = metrics.messagesByVerdict
        actions = metrics.messagesByAction
        databaseBuildTime = scanner.signatureBuildTime
        databaseAgeSeconds = databaseBuildTime.map { Int(Date().timeIntervalSince($0)) }
        clamdServers = scanner.clamd.map { $0.serverStatus.map(ClamdServer.init) }
        scanWorkers = scanner.isolated.map { ScanWorkers($0.status) }
    }

    func json() -> String {
        // Strings, whole numbers and a date: nothing here can fail to encode.
        (try? StableJSONEncoder(sortedKeys: true).encode(self)) ?? "{}"
    }
}
