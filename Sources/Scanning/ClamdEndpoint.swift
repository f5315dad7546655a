import Sockets

/// Where a clamd server listens: its `LocalSocket` or its `TCPSocket`/`TCPAddr`.
public enum ClamdEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A unix-domain socket path (clamd's `LocalSocket`).
    case unix(path: String)
    /// A TCP host (name or address) and port (clamd's `TCPAddr` and `TCPSocket`).
    case tcp(host: String, port: UInt16)

    /// Parses the one socket address grammar (module Sockets): `unix:/path`, `/path`,
    /// `HOST:PORT`, `[v6addr]:PORT`, `tcp:HOST:PORT`, `inet:PORT@HOST`, `inet6:PORT@HOST`;
    /// nil when malformed.
    public init?(_ text: String) {
        guard let endpoint = try? Endpoint(parsing: text) else { return nil }
        switch endpoint {
        case .unix(let path): self = .unix(path: path)
        case .tcp(_, let port, _): self = .tcp(host: endpoint.connectHost, port: port)
        }
    }

    /// clamd's default `MaxThreads`: the scans one server runs at once unless configured otherwise.
    public static let defaultMaxThreads = 10

    /// The same address for the socket layer.
    var endpoint: Endpoint {
        switch self {
        case .unix(let path): .unix(path: path)
        case .tcp(let host, let port): .tcp(host: host, port: port, family: .any)
        }
    }

    /// `unix:/path`, `HOST:PORT` or `[IPv6]:PORT`.
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
