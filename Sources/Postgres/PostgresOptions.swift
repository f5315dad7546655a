/// How to reach the database: a libpq connection URI and the limits scanmilter adds to it.
public struct PostgresOptions: Sendable, Equatable {
    /// A libpq connection URI (`postgresql://USER@HOST1:PORT,HOST2:PORT/DB?sslmode=verify-full&target_session_attrs=read-write`).
    /// libpq itself handles several hosts, TLS, SCRAM and failover.
    public var uri: String
    /// The password; nil leaves it to libpq (`PGPASSWORD`, `PGPASSFILE`, `~/.pgpass`, or the URI).
    public var password: String?
    /// Seconds a connection attempt and each statement may take (libpq's `connect_timeout`,
    /// the server's `statement_timeout`, and a deadline on every answer).
    public var timeout: Double
    /// The most connections the pool opens at once (at least 2: the maintenance lock holds one).
    public var maxConnections: Int
    /// Shown in `pg_stat_activity`.
    public var applicationName: String

    public init(uri: String, password: String? = nil, timeout: Double = 10, maxConnections: Int = 8, applicationName: String = "scanmilter") {
        self.uri = uri
        self.password = password
        self.timeout = timeout
        self.maxConnections = max(2, maxConnections)
        self.applicationName = applicationName
    }

    /// The URI without a password, for logs and errors: `postgresql://user:secret@h/db` becomes
    /// `postgresql://user@h/db`, and a `password=` parameter is dropped.
    public static func redacted(_ uri: String) -> String {
        guard let schemeEnd = uri.range(of: "://") else { return uri }
        var rest = String(uri[schemeEnd.upperBound...])
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@"),
           let colon = rest[..<at].firstIndex(of: ":") {
            rest.removeSubrange(colon..<at)
        }
        if let query = rest.firstIndex(of: "?") {
            let parameters = rest[rest.index(after: query)...].split(separator: "&").filter { !$0.lowercased().hasPrefix("password=") }
            rest = String(rest[..<query]) + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
        }
        return String(uri[..<schemeEnd.upperBound]) + rest
    }
}
