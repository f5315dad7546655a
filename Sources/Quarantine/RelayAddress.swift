import Sockets

/// A relay address from `[quarantine] release_relay`: `HOST:PORT`, `[IPv6]:PORT`.
public struct RelayAddress: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int

    /// Parses `HOST:PORT` or `[IPv6]:PORT` (or any TCP form of the one socket address grammar,
    /// module Sockets); nil when there is no port or it is not 1-65535.
    public init?(_ text: String) {
        guard let endpoint = try? Endpoint(parsing: text), let port = endpoint.port else { return nil }
        host = endpoint.connectHost
        self.port = Int(port)
    }

    /// The same address for the socket layer.
    var endpoint: Endpoint { .tcp(host: host, port: UInt16(clamping: port), family: .any) }

    /// `HOST:PORT`, with brackets around an IPv6 address.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
