public import ClamAV
import Foundation

/// What `scanmilterctl update` fetches and where it installs it: the `[update]` section and
/// `[scan] database_dir`, in the updater's own terms.
public struct UpdaterConfiguration: Sendable, Equatable {
    /// The official database mirror, used when no private mirror is configured.
    public static let officialMirror = "https://database.clamav.net"
    /// The DNS name whose TXT record announces the current official versions.
    public static let versionDNSName = "current.cvd.clamav.net"

    /// The live signature directory the daemon loads (`[scan] database_dir`).
    public var databaseDirectory: String
    /// The signed databases to keep current (`[update] databases`), e.g. main, daily, bytecode.
    public var databases: [String]
    /// Private mirror URLs (`[update] private_mirror`); empty means the official mirror.
    public var privateMirrors: [String]
    /// Extra unsigned signature files (`[update] custom_urls`): .ndb, .hdb, .ldb, .cdb, ...
    public var customURLs: [String]
    /// `http://[user:password@]HOST:PORT`, or empty for no proxy (`[update] proxy`).
    public var proxy: String
    /// The User-Agent header, or empty for libfreshclam's (`[update] user_agent`).
    public var userAgent: String
    /// Known-clean messages every new set must leave clean (`[update] canary_dir`); empty: none.
    public var canaryDirectory: String
    /// Ask DNS for the current versions first (the official mirror expects it). Defaults to on
    /// only for the official mirror: a private mirror publishes no DNS record.
    public var dnsVersionCheck: Bool
    /// Engine settings for the test load; the defaults load every signature kind.
    public var engineOptions: EngineOptions
    /// Download attempts per file.
    public var maxAttempts: UInt32
    /// Seconds to wait for a mirror to accept a connection.
    public var connectTimeout: UInt32
    /// Seconds a transfer may stall.
    public var requestTimeout: UInt32

    /// Makes a configuration; without mirrors it uses the official one with the DNS check.
    public init(
        databaseDirectory: String,
        databases: [String] = ["main", "daily", "bytecode"],
        privateMirrors: [String] = [],
        customURLs: [String] = [],
        proxy: String = "",
        userAgent: String = "",
        canaryDirectory: String = "",
        dnsVersionCheck: Bool? = nil,
        engineOptions: EngineOptions = EngineOptions(),
        maxAttempts: UInt32 = 3,
        connectTimeout: UInt32 = 30,
        requestTimeout: UInt32 = 60
    ) {
        self.databaseDirectory = databaseDirectory
        self.databases = databases
        self.privateMirrors = privateMirrors
        self.customURLs = customURLs
        self.proxy = proxy
        self.userAgent = userAgent
        self.canaryDirectory = canaryDirectory
        self.dnsVersionCheck = dnsVersionCheck ?? privateMirrors.isEmpty
        self.engineOptions = engineOptions
        self.maxAttempts = maxAttempts
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// The servers libfreshclam asks for the signed databases.
    var servers: [String] { privateMirrors.isEmpty ? [Self.officialMirror] : privateMirrors }

    /// The proxy in libfreshclam's terms (URL without port, port, credentials), or nil.
    func freshclamProxy() throws(UpdateError) -> FreshclamConfiguration.Proxy? {
        guard !proxy.isEmpty else { return nil }
        guard let parts = URLComponents(string: proxy), let scheme = parts.scheme, let host = parts.host, !host.isEmpty else {
            throw UpdateError(.configuration, "proxy '\(proxy)' is not a URL like http://HOST:PORT")
        }
        let port = parts.port ?? (scheme == "https" ? 443 : 8080)
        guard let port16 = UInt16(exactly: port) else {
            throw UpdateError(.configuration, "proxy '\(proxy)' has an invalid port")
        }
        return FreshclamConfiguration.Proxy(
            server: "\(scheme)://\(host)", port: port16,
            username: parts.user?.removingPercentEncoding, password: parts.password?.removingPercentEncoding)
    }
}
