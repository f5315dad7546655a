/// Where a socket listens or connects: a unix-domain path, or a TCP host and port.
///
/// One grammar for every address in scanmilter (milter sockets, clamd servers, the release
/// relay, the metrics listener), parsed by ``init(parsing:rules:)``:
///
/// | form | meaning |
/// | --- | --- |
/// | `unix:/path`, `local:/path`, `/path` | a unix-domain socket |
/// | `inet:PORT@HOST`, `inet:PORT`, `inet:HOST:PORT` | TCP over IPv4 (libmilter's and Postfix's forms) |
/// | `inet6:PORT@HOST`, `inet6:PORT@[HOST]`, `inet6:PORT` | TCP over IPv6 |
/// | `HOST:PORT`, `[IPv6]:PORT`, `tcp:HOST:PORT` | TCP, the family from the address |
/// | `:PORT`, `*:PORT` | every address (listening only) |
///
/// A host left out means every address when listening and the loopback address when connecting.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// A unix-domain socket at `path`.
    case unix(path: String)
    /// TCP to or on `host` (nil: unspecified), `port`, restricted to `family`.
    case tcp(host: String?, port: UInt16, family: Family)

    /// Which IP versions a TCP endpoint may use.
    public enum Family: Sendable, Hashable {
        /// IPv4 only (`inet:`).
        case ipv4
        /// IPv6 only (`inet6:`).
        case ipv6
        /// Whatever the host resolves to (`HOST:PORT`).
        case any
    }

    /// The longest unix socket path (`sun_path` holds 108 bytes with its NUL).
    public static let maximumPathLength = 107

    /// The TCP port, for TCP endpoints.
    public var port: UInt16? {
        if case .tcp(_, let port, _) = self { return port }
        return nil
    }

    /// The unix socket path, for unix endpoints.
    public var path: String? {
        if case .unix(let path) = self { return path }
        return nil
    }

    /// The host to connect to: the given one, or the loopback address of the family (empty
    /// for unix sockets).
    public var connectHost: String {
        guard case .tcp(let host, _, let family) = self else { return "" }
        if let host { return host }
        return family == .ipv6 ? "::1" : "127.0.0.1"
    }

    /// `unix:/path`, `inet:PORT@HOST`, `inet6:PORT@HOST`, `HOST:PORT` or `[IPv6]:PORT`.
    public var description: String {
        switch self {
        case .unix(let path):
            return "unix:\(path)"
        case .tcp(let host, let port, .ipv4):
            return host.map { "inet:\(port)@\($0)" } ?? "inet:\(port)"
        case .tcp(let host, let port, .ipv6):
            return host.map { "inet6:\(port)@\($0)" } ?? "inet6:\(port)"
        case .tcp(let host, let port, .any):
            guard let host else { return ":\(port)" }
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// An address that does not follow the grammar: the text and why.
public struct EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    /// What is wrong with it (`port "x" is not a number from 1 to 65535`).
    public let reason: String

    /// `"inet:x@y": port "x" is not a number from 1 to 65535`.
    public var description: String { "\"\(text)\": \(reason)" }
}
