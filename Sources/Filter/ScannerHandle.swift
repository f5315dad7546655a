import ClamAV
public import Foundation
public import Scanning

/// The scanner the daemon runs: any backend, plus what only the embedded engine can do
/// (reload, report its database's build time).
public struct ScannerHandle: Sendable {
    /// The backend every scan goes through.
    public let backend: any ScanBackend
    /// The embedded engine, when that is the backend.
    public let embedded: ClamAVBackend?

    public init(backend: any ScanBackend) {
        self.backend = backend
        self.embedded = backend as? ClamAVBackend
    }

    /// Whether scans can run: the embedded engine has a database loaded (it can be absent after
    /// an in-place reload failed), or the backend is clamd, whose servers load their own and are
    /// checked per scan.
    public var engineLoaded: Bool {
        embedded.map { $0.database != nil } ?? true
    }

    /// When the loaded signatures were built; nil behind clamd or for unsigned databases only.
    public var signatureBuildTime: Date? {
        embedded?.database?.buildTime
    }

    /// Reloads the embedded engine's signatures; clamd servers reload themselves.
    public func reload() throws -> String {
        guard let embedded else { return "clamd backend: the clamd servers reload their own signatures" }
        let info = try embedded.reload()
        return info.description
    }
}
