/// Settings for one libfreshclam session (its `fc_config`).
public struct FreshclamConfiguration: Sendable, Equatable {
    /// An HTTP proxy (`proxyServer`, `proxyPort`, `proxyUsername`, `proxyPassword`).
    public struct Proxy: Sendable, Equatable {
        /// The proxy's URL without port, e.g. `http://proxy.example`.
        public var server: String
        /// The proxy's port.
        public var port: UInt16
        /// The user name for proxy authentication, if any.
        public var username: String?
        /// The password for proxy authentication, if any.
        public var password: String?

        /// Makes proxy settings.
        public init(server: String, port: UInt16, username: String? = nil, password: String? = nil) {
            self.server = server
            self.port = port
            self.username = username
            self.password = password
        }
    }

    /// The directory libfreshclam updates in place; it also keeps `freshclam.dat` there.
    public var databaseDirectory: String
    /// Where downloads and patches are assembled: must exist on the same file system as
    /// ``databaseDirectory``, because libfreshclam moves finished files with rename(2).
    public var temporaryDirectory: String
    /// The file libfreshclam logs to; errors are read back from it to explain a failure.
    public var logFile: String
    /// The User-Agent header, or nil for libfreshclam's own ("ClamAV/1.4.6 (OS: ...)").
    public var userAgent: String?
    /// The HTTP proxy, if any.
    public var proxy: Proxy?
    /// Download attempts per file (`maxAttempts`; libfreshclam requires at least 1).
    public var maxAttempts: UInt32
    /// Seconds to wait for a connection (`connectTimeout`).
    public var connectTimeout: UInt32
    /// Seconds a transfer may stall before it is abandoned (`requestTimeout`).
    public var requestTimeout: UInt32
    /// Whether downloaded databases are test-loaded with bytecode signatures enabled.
    public var bytecode: Bool

    /// Makes a configuration; the timeouts are freshclam.conf's defaults.
    public init(
        databaseDirectory: String,
        temporaryDirectory: String,
        logFile: String,
        userAgent: String? = nil,
        proxy: Proxy? = nil,
        maxAttempts: UInt32 = 3,
        connectTimeout: UInt32 = 30,
        requestTimeout: UInt32 = 60,
        bytecode: Bool = true
    ) {
        self.databaseDirectory = databaseDirectory
        self.temporaryDirectory = temporaryDirectory
        self.logFile = logFile
        self.userAgent = userAgent
        self.proxy = proxy
        self.maxAttempts = max(1, maxAttempts)
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.bytecode = bytecode
    }
}
