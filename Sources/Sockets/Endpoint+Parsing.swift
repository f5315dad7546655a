extension Endpoint {
    /// Which forms of the grammar a use accepts.
    public struct Rules: Sendable {
        /// Only the forms libmilter's `smfi_setconn` understands, because the text is handed
        /// to it unchanged: `unix:`, `local:`, a bare path, `inet:PORT[@HOST]`,
        /// `inet6:PORT[@HOST]`, hosts without brackets.
        var libmilterOnly = false
        /// A listening socket: port 0 (any free port) and a missing host (every address).
        var listening = false

        /// An address to connect to.
        public static let connect = Rules()
        /// An address to listen on (port 0 and `:PORT` allowed).
        public static let listen = Rules(listening: true)
        /// A milter socket spec that libmilter itself will parse.
        public static let libmilter = Rules(libmilterOnly: true)
    }

    /// Parses `text` by the grammar in ``Endpoint``, restricted by `rules`.
    public init(parsing text: String, rules: Rules = .connect) throws(EndpointError) {
        self = try EndpointParser(text: text, rules: rules).parse()
    }
}

/// The grammar's one implementation; each `fail` names what is wrong in words a
/// configuration's author can act on.
private struct EndpointParser {
    let text: String
    let rules: Rules

    typealias Rules = Endpoint.Rules

    func fail(_ reason: String) -> EndpointError { EndpointError(text: text, reason: reason) }

    func parse() throws(EndpointError) -> Endpoint {
        if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw fail("contains control characters")
        }
        if text.hasPrefix("/") { return .unix(path: try path(Substring(text))) }
        if text.hasPrefix("["), !rules.libmilterOnly { return try hostAndPort(Substring(text), family: .any) }
        guard let colon = text.firstIndex(of: ":") else {
            throw fail(rules.libmilterOnly
                ? "expected unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST"
                : "expected unix:/path, inet:PORT@HOST, inet6:PORT@HOST, HOST:PORT or [IPv6]:PORT")
        }
        let scheme = text[..<colon].lowercased()
        let rest = text[text.index(after: colon)...]
        switch scheme {
        case "unix", "local":
            return .unix(path: try path(rest))
        case "inet":
            return try schemeForm(rest, family: .ipv4)
        case "inet6":
            return try schemeForm(rest, family: .ipv6)
        case "tcp" where !rules.libmilterOnly:
            return try hostAndPort(rest, family: .any)
        default:
            guard !rules.libmilterOnly else {
                throw fail("unknown socket type \"\(scheme)\"; use unix, local, inet or inet6")
            }
            return try hostAndPort(Substring(text), family: .any)
        }
    }

    func path(_ path: Substring) throws(EndpointError) -> String {
        guard !path.isEmpty else { throw fail("the socket path is empty") }
        guard path.utf8.count <= Endpoint.maximumPathLength else {
            throw fail("the socket path is \(path.utf8.count) bytes; at most \(Endpoint.maximumPathLength) fit in sun_path")
        }
        return String(path)
    }

    /// After `inet:` or `inet6:`: `PORT@HOST`, `PORT`, or (not for libmilter) `HOST:PORT`.
    func schemeForm(_ rest: Substring, family: Endpoint.Family) throws(EndpointError) -> Endpoint {
        if let at = rest.firstIndex(of: "@") {
            let host = trimmed(rest[rest.index(after: at)...])
            guard !host.isEmpty else { throw fail("nothing after '@'; give a host or leave out '@'") }
            return .tcp(host: try checked(host, family: family), port: try port(rest[..<at]), family: family)
        }
        if !rules.libmilterOnly, rest.contains(":"), family == .ipv4 || rest.hasPrefix("[") {
            return try hostAndPort(rest, family: family)
        }
        return .tcp(host: nil, port: try port(rest), family: family)
    }

    /// `HOST:PORT`, `[IPv6]:PORT`, and when listening `:PORT` or `*:PORT`.
    func hostAndPort(_ text: Substring, family: Endpoint.Family) throws(EndpointError) -> Endpoint {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("'[' without ']'") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { throw fail("expected :PORT after ']'") }
            portText = after.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw fail("expected HOST:PORT") }
            host = trimmed(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw fail("an IPv6 address needs brackets: [\(host)]:\(portText)") }
        }
        let number = try port(portText)
        if host.isEmpty || host == "*" {
            guard rules.listening else { throw fail("the host is empty") }
            return .tcp(host: nil, port: number, family: family)
        }
        return .tcp(host: try checked(host, family: family), port: number, family: family)
    }

    func port(_ text: Substring) throws(EndpointError) -> UInt16 {
        let digits = rules.libmilterOnly ? text : trimmed(text)
        let lowest: UInt16 = rules.listening ? 0 : 1
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let number = UInt16(digits), number >= lowest
        else {
            throw fail("port \"\(digits)\" is not a number from \(lowest) to 65535")
        }
        return number
    }

    /// A host name or address: brackets removed (not for libmilter), characters checked, a
    /// dotted number checked as IPv4.
    func checked(_ given: Substring, family: Endpoint.Family) throws(EndpointError) -> String {
        var host = given
        if !rules.libmilterOnly, host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        let colons = family != .ipv4
        let allowed = host.utf8.allSatisfy { byte in
            Self.isHostByte(byte) || (colons && (byte == UInt8(ascii: ":") || byte == UInt8(ascii: "%")))
        }
        guard !host.isEmpty, allowed else { throw fail("host \"\(host)\" is not an address or host name") }
        let numeric = host.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }
        if numeric, !Self.isIPv4(host) { throw fail("host \"\(host)\" is not a valid IPv4 address") }
        return String(host)
    }

    func trimmed(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { $0 != " " }), let last = text.lastIndex(where: { $0 != " " }) else {
            return ""
        }
        return text[first...last]
    }

    static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func isIPv4(_ host: Substring) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && (UInt16($0) ?? 256) <= 255 }
    }
}
