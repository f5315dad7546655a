/// Where a milter listens, in libmilter's `smfi_setconn` notation.
///
/// Accepted forms: `unix:/path`, `local:/path`, a bare `/path`, `inet:PORT@HOST`, `inet:PORT`
/// (127.0.0.1), Postfix's `inet:HOST:PORT`, and `inet6:PORT@HOST` (HOST may be in brackets).
public enum MilterSocketSpec: Sendable, Hashable, CustomStringConvertible {
    /// A unix-domain socket at this path.
    case unix(path: String)
    /// A TCP socket over IPv4 (HOST may be a name or a dotted address).
    case inet(host: String, port: UInt16)
    /// A TCP socket over IPv6.
    case inet6(host: String, port: UInt16)

    /// The longest unix socket path `sockaddr_un` can hold (108 bytes with its NUL).
    static let maximumUnixPathLength = 107

    /// Parses a socket spec; throws `.invalidSocketSpec` naming what is wrong.
    public init(parsing spec: String) throws {
        func invalid(_ why: String) -> MilterClientError {
            MilterClientError(.invalidSocketSpec, "socket spec \"\(spec)\": \(why)")
        }
        if spec.hasPrefix("/") {
            self = try Self.unixSpec(path: spec, invalid: invalid)
            return
        }
        guard let colon = spec.firstIndex(of: ":") else {
            throw invalid("expected unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST")
        }
        let scheme = spec[..<colon].lowercased()
        let rest = String(spec[spec.index(after: colon)...])
        switch scheme {
        case "unix", "local":
            self = try Self.unixSpec(path: rest, invalid: invalid)
        case "inet":
            let (host, port) = try Self.hostAndPort(rest, defaultHost: "127.0.0.1", allowHostColonPort: true, invalid: invalid)
            self = .inet(host: host, port: port)
        case "inet6":
            let (host, port) = try Self.hostAndPort(rest, defaultHost: "::1", allowHostColonPort: false, invalid: invalid)
            self = .inet6(host: host, port: port)
        default:
            throw invalid("unknown socket type \"\(scheme)\" (use unix, local, inet or inet6)")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .inet(let host, let port): "inet:\(port)@\(host)"
        case .inet6(let host, let port): "inet6:\(port)@\(host)"
        }
    }

    private static func unixSpec(path: String, invalid: (String) -> MilterClientError) throws -> MilterSocketSpec {
        guard !path.isEmpty else { throw invalid("the unix socket path is empty") }
        guard path.utf8.count <= maximumUnixPathLength else {
            throw invalid("the unix socket path is longer than \(maximumUnixPathLength) bytes")
        }
        guard !path.utf8.contains(0) else { throw invalid("the unix socket path contains a NUL byte") }
        return .unix(path: path)
    }

    private static func hostAndPort(
        _ text: String,
        defaultHost: String,
        allowHostColonPort: Bool,
        invalid: (String) -> MilterClientError
    ) throws -> (String, UInt16) {
        var portText: Substring
        var host: Substring
        if let at = text.firstIndex(of: "@") {
            portText = text[..<at]
            host = text[text.index(after: at)...]
        } else if allowHostColonPort, let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            portText = Substring(text)
            host = Substring(defaultHost)
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        guard !host.isEmpty else { throw invalid("the host is empty") }
        portText = portText.drop { $0 == " " }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port > 0, port <= 65535
        else {
            throw invalid("the port \"\(portText)\" is not a number from 1 to 65535")
        }
        return (String(host), UInt16(port))
    }
}
