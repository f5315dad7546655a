public import ClamAV

/// How the embedded engine is built and replaced.
public struct ClamAVBackendSettings: Sendable, Equatable {
    /// How a reload treats the running engine.
    public enum ReloadMode: Sendable, Equatable {
        /// Build the new engine beside the running one and swap them (clamd's
        /// `ConcurrentDatabaseReload yes`): no scan waits, memory doubles during the load.
        case concurrent
        /// Free the running engine first, then load (clamd's `ConcurrentDatabaseReload no`): for
        /// small machines. Scans arriving meanwhile wait up to `maxWait`, then report the backend
        /// unavailable (a temporary failure) rather than wait longer.
        case inPlace(maxWait: Duration)
    }

    /// The signature directory.
    public var databaseDirectory: String
    /// Engine limits and heuristics.
    public var engineOptions: EngineOptions
    /// Concurrent (default) or in-place reloads.
    public var reloadMode: ReloadMode

    /// Settings with ClamAV's engine defaults and concurrent reloads unless given.
    public init(databaseDirectory: String, engineOptions: EngineOptions = EngineOptions(), reloadMode: ReloadMode = .concurrent) {
        self.databaseDirectory = databaseDirectory
        self.engineOptions = engineOptions
        self.reloadMode = reloadMode
    }
}
