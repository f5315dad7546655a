import ClamAV
public import Foundation
public import Scanning
public import ScanWorkers

/// The scanner the daemon runs: any backend, plus what only the embedded engine or the clamd
/// pool can do (reload, report the signatures' build time).
public struct ScannerHandle: Sendable {
    /// The backend every scan goes through.
    public let backend: any ScanBackend
    /// The embedded engine, when that is the backend.
    public let embedded: ClamAVBackend?
    /// The clamd pool, when that is the backend.
    public let clamd: ClamdBackend?
    /// The embedded engine in worker processes, when that is the backend.
    public let isolated: IsolatedScanBackend?

    public init(backend: any ScanBackend) {
        self.backend = backend
        self.embedded = backend as? ClamAVBackend
        self.clamd = backend as? ClamdBackend
        self.isolated = backend as? IsolatedScanBackend
    }

    /// Whether scans can run: the embedded engine has a database loaded (it can be absent after
    /// an in-place reload failed), or the backend is clamd, whose servers load their own and are
    /// health-checked in the background.
    public var engineLoaded: Bool {
        embedded.map { $0.database != nil } ?? true
    }

    /// When the signatures in use were built (behind clamd: the oldest a server in rotation
    /// runs, from its VERSION answer); nil for unsigned databases only, or before clamd answered.
    public var signatureBuildTime: Date? {
        embedded?.database?.buildTime ?? isolated?.engineInfo.buildTime ?? clamd?.oldestVersion?.buildTime
    }

    /// The signed daily database's version in use (behind clamd: the oldest in rotation).
    public var signatureVersion: Int? {
        embedded?.database?.version ?? isolated?.engineInfo.version ?? clamd?.oldestVersion?.signatureVersion
    }

    /// Reloads the signatures: the embedded engine's, or the clamd pool's one server at a time.
    public func reload() throws -> String {
        if let clamd {
            let outcomes = try clamd.reloadPool()
            let failed = outcomes.filter { $0.error != nil }
            guard failed.isEmpty || failed.count < outcomes.count else {
                throw ClamdReloadError(message: outcomes.map(\.description).joined(separator: "; "))
            }
            return "clamd pool, one server at a time: " + outcomes.map(\.description).joined(separator: "; ")
        }
        if let isolated {
            return try isolated.reload().description
        }
        guard let embedded else { return "no reloadable backend" }
        let info = try embedded.reload()
        return info.description
    }
}
