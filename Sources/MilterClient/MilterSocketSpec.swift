import Sockets

/// Where a milter listens, in libmilter's `smfi_setconn` notation.
///
/// Accepted forms: `unix:/path`, `local:/path`, a bare `/path`, `inet:PORT@HOST`, `inet:PORT`
/// (127.0.0.1), Postfix's `inet:HOST:PORT`, `inet6:PORT@HOST` (HOST may be in brackets),
/// `HOST:PORT` and `[IPv6]:PORT`.
public enum MilterSocketSpec: Sendable, Hashable, CustomStringConvertible {
    /// A unix-domain socket at this path.
    case unix(path: String)
    /// A TCP socket over IPv4 (HOST may be a name or a dotted address).
    case inet(host: String, port: UInt16)
    /// A TCP socket over IPv6.
    case inet6(host: String, port: UInt16)

    /// Parses a socket spec by the one socket address grammar (module Sockets), which also
    /// takes `HOST:PORT` and `[IPv6]:PORT`; throws `.invalidSocketSpec` naming what is wrong.
    public init(parsing spec: String) throws {
        let endpoint: Endpoint
        do throws(EndpointError) {
            endpoint = try Endpoint(parsing: spec)
        } catch {
            throw MilterClientError(.invalidSocketSpec, "socket spec \(error)")
        }
        switch endpoint {
        case .unix(let path):
            self = .unix(path: path)
        case .tcp(let host, let port, .ipv6):
            self = .inet6(host: host ?? "::1", port: port)
        case .tcp(let host, let port, .ipv4):
            self = .inet(host: host ?? "127.0.0.1", port: port)
        case .tcp(let host, let port, .any):
            let host = host ?? "127.0.0.1"
            self = host.contains(":") ? .inet6(host: host, port: port) : .inet(host: host, port: port)
        }
    }

    /// The same address for the socket layer.
    var endpoint: Endpoint {
        switch self {
        case .unix(let path): .unix(path: path)
        case .inet(let host, let port): .tcp(host: host, port: port, family: .ipv4)
        case .inet6(let host, let port): .tcp(host: host, port: port, family: .ipv6)
        }
    }

    /// The spec in libmilter notation (`inet:PORT@HOST` for TCP).
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .inet(let host, let port): "inet:\(port)@\(host)"
        case .inet6(let host, let port): "inet6:\(port)@\(host)"
        }
    }
}
