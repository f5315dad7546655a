import Sockets

/// Where a milter listens, in libmilter's `smfi_setconn` syntax, checked before libmilter sees
/// it: `unix:/path` (or `local:/path`, or a bare absolute path), `inet:PORT[@HOST]`,
/// `inet6:PORT[@HOST]`.
///
/// libmilter reports a bad spec only when `smfi_main` or `smfi_opensocket` runs, with a line in
/// syslog; checking here gives a clear error at startup instead.
public struct SocketSpec: Sendable, Hashable, CustomStringConvertible {
    /// The kind of socket and its address.
    public enum Kind: Sendable, Hashable {
        /// A unix-domain socket at `path`.
        case unix(path: String)
        /// TCP over IPv4 on `port`; `host` nil means every address.
        case inet(port: UInt16, host: String?)
        /// TCP over IPv6 on `port`; `host` nil means every address.
        case inet6(port: UInt16, host: String?)
    }

    /// The parsed socket.
    public let kind: Kind
    /// The spec as given, passed on to `smfi_setconn`.
    public let text: String

    /// The longest unix socket path (`sun_path` holds 108 bytes with its NUL).
    public static let maximumPathLength = Endpoint.maximumPathLength

    /// Parses and checks `text` by the socket address grammar (module Sockets), restricted to
    /// the forms libmilter parses, or throws ``MilterError/invalidSocketSpec(spec:reason:)``.
    public init(_ text: String) throws(MilterError) {
        do throws(EndpointError) {
            switch try Endpoint(parsing: text, rules: .libmilter) {
            case .unix(let path): kind = .unix(path: path)
            case .tcp(let host, let port, .ipv6): kind = .inet6(port: port, host: host)
            case .tcp(let host, let port, _): kind = .inet(port: port, host: host)
            }
        } catch {
            throw .invalidSocketSpec(spec: text, reason: error.reason)
        }
        self.text = text
    }

    /// The TCP port, for inet and inet6 sockets.
    public var port: UInt16? {
        switch kind {
        case .unix: nil
        case .inet(let port, _), .inet6(let port, _): port
        }
    }

    /// The unix socket path, for unix sockets.
    public var path: String? {
        if case .unix(let path) = kind { return path }
        return nil
    }

    /// The spec as given.
    public var description: String { text }
}
