public import ClamAV

/// How the embedded engine is built and replaced.
public struct ClamAVBackendSettings: Sendable, Equatable {
    /// How a reload treats the running engine.
    public enum ReloadMode: Sendable, Equatable {
        /// Build the new engine beside the running one and swap them (clamd's
        /// `ConcurrentDatabaseReload yes`): no scan waits, memory doubles during the load. When
        /// the machine or cgroup has too little memory left for that, the reload runs in place.
        case concurrent
        /// Free the running engine first, then load (clamd's `ConcurrentDatabaseReload no`): for
        /// small machines. Scans arriving meanwhile wait up to `maxWait`, then report the backend
        /// unavailable (a temporary failure) rather than wait longer. A new set that fails to
        /// load is replaced by the previous set, loaded again before scans resume.
        case inPlace(maxWait: Duration)
    }

    /// The signature directory.
    public var databaseDirectory: String
    /// Engine limits and heuristics.
    public var engineOptions: EngineOptions
    /// Concurrent (default) or in-place reloads.
    public var reloadMode: ReloadMode
    /// Bytes of whole messages under libclamav's mail parser at once (one message always may
    /// go, however large). That parser holds about 1.5 times a message in small heap blocks, so
    /// two 20 MB messages decoded together cost ~120 MB more than one after the other. Read
    /// when the backend is created; a reload does not change it.
    public var mailDecodingBudget: Int
    /// Whether scans may wait for an in-place reload longer than its `maxWait`: up to twice the
    /// running engine's load time (at most 200 s), so that a large set reloading in place does
    /// not make every message that arrives meanwhile give up. The daemon sets it.
    public var inPlaceWaitFollowsLoadTime = false

    /// How long scans wait for an in-place reload that a concurrent reload fell back to for lack
    /// of memory, and the daemon's `[scan] reload_mode = "in_place"` wait.
    public static let defaultInPlaceWait: Duration = .seconds(30)

    /// The default ``mailDecodingBudget`` (`[scan] mail_decoding_budget`): 32 MiB, so messages
    /// of up to 16 MB decode side by side and only larger ones take turns.
    public static let defaultMailDecodingBudget = 32 << 20

    /// Settings with ClamAV's engine defaults and concurrent reloads unless given.
    public init(
        databaseDirectory: String, engineOptions: EngineOptions = EngineOptions(), reloadMode: ReloadMode = .concurrent,
        mailDecodingBudget: Int = defaultMailDecodingBudget
    ) {
        self.databaseDirectory = databaseDirectory
        self.engineOptions = engineOptions
        self.reloadMode = reloadMode
        self.mailDecodingBudget = mailDecodingBudget
    }
}
