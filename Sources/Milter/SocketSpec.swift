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
    public static let maximumPathLength = 107

    /// Parses and checks `text`, or throws ``MilterError/invalidSocketSpec(spec:reason:)``.
    public init(_ text: String) throws(MilterError) {
        func fail(_ reason: String) -> MilterError { .invalidSocketSpec(spec: text, reason: reason) }
        if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw fail("contains control characters")
        }
        if text.hasPrefix("/") {
            self.kind = .unix(path: try Self.checkPath(text, fail))
            self.text = text
            return
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw fail("expected unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST")
        }
        let scheme = text[..<colon].lowercased()
        let rest = String(text[text.index(after: colon)...])
        switch scheme {
        case "unix", "local":
            self.kind = .unix(path: try Self.checkPath(rest, fail))
        case "inet", "inet6":
            let (portText, host): (Substring, String?)
            if let at = rest.firstIndex(of: "@") {
                portText = rest[..<at]
                let hostText = String(rest[rest.index(after: at)...])
                guard !hostText.isEmpty else { throw fail("nothing after '@'; give a host or leave out '@'") }
                host = hostText
            } else {
                portText = Substring(rest)
                host = nil
            }
            guard let port = UInt16(portText), port > 0 else {
                throw fail("port \"\(portText)\" is not a number from 1 to 65535")
            }
            if let host {
                let allowed = scheme == "inet6"
                    ? host.utf8.allSatisfy { Self.isHostByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "%") }
                    : host.utf8.allSatisfy(Self.isHostByte)
                guard allowed else { throw fail("host \"\(host)\" is not an address or host name") }
                if scheme == "inet", Self.looksNumeric(host), !Self.isIPv4(host) {
                    throw fail("host \"\(host)\" is not a valid IPv4 address")
                }
            }
            self.kind = scheme == "inet" ? .inet(port: port, host: host) : .inet6(port: port, host: host)
        default:
            throw fail("unknown socket type \"\(scheme)\"; use unix, local, inet or inet6")
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

    private static func checkPath(_ path: String, _ fail: (String) -> MilterError) throws(MilterError) -> String {
        guard !path.isEmpty else { throw fail("the socket path is empty") }
        guard path.utf8.count <= maximumPathLength else {
            throw fail("the socket path is \(path.utf8.count) bytes; at most \(maximumPathLength) fit in sun_path")
        }
        return path
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    private static func looksNumeric(_ host: String) -> Bool {
        host.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }
    }

    private static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && (UInt16($0) ?? 256) <= 255 }
    }
}
