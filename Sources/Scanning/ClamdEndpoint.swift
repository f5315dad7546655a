/// Where a clamd server listens: its `LocalSocket` or its `TCPSocket`/`TCPAddr`.
public enum ClamdEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A unix-domain socket path (clamd's `LocalSocket`).
    case unix(path: String)
    /// A TCP host (name or address) and port (clamd's `TCPAddr` and `TCPSocket`).
    case tcp(host: String, port: UInt16)

    /// Parses `unix:/path`, `/path`, `tcp:host:port`, `host:port` or `[v6addr]:port`; nil when malformed.
    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.hasPrefix("unix:") {
            rest = rest.dropFirst("unix:".count)
            guard !rest.isEmpty else { return nil }
            self = .unix(path: String(rest))
            return
        }
        if rest.hasPrefix("/") {
            self = .unix(path: String(rest))
            return
        }
        if rest.hasPrefix("tcp:") || rest.hasPrefix("inet:") { rest = rest.drop { $0 != ":" }.dropFirst() }
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else {
            return nil
        }
        var host = rest[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self = .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
