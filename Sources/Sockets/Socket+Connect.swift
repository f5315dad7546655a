import Glibc

extension Socket {
    /// Connects to `endpoint`, trying each address a host resolves to, giving up at `deadline`.
    ///
    /// TCP sockets get `TCP_NODELAY`: every peer here (milters, clamd, SMTP) exchanges small
    /// packets, and without it each can wait out a delayed ACK (../shared/ENVIRONMENT.md).
    public static func connect(to endpoint: Endpoint, until deadline: ContinuousClock.Instant) throws(SocketError) -> Socket {
        do throws(SocketError) {
            switch endpoint {
            case .unix(let path):
                return try connectUnix(path: path, until: deadline)
            case .tcp(_, let port, let family):
                return try connectTCP(host: endpoint.connectHost, port: port, family: family, until: deadline)
            }
        } catch {
            throw error.doing("connecting to \(endpoint)")
        }
    }

    /// A new non-blocking, close-on-exec stream socket.
    static func open(family: Int32, protocol: Int32 = 0) throws(SocketError) -> Socket {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        return Socket(adopting: try syscall("socket") { socket(family, type, `protocol`) })
    }

    private static func connectUnix(path: String, until deadline: ContinuousClock.Instant) throws(SocketError) -> Socket {
        var address = try UnixAddress(path)
        while true {
            let socket = try open(family: AF_UNIX)
            let descriptor = socket.descriptor
            // A full listen queue answers EAGAIN on a non-blocking unix connect: try again until
            // the deadline, as a blocking connect would have waited.
            if try syscall("connect", wouldBlock: true, { address.withSockaddr { Glibc.connect(descriptor, $0, $1) } }) != nil {
                return socket
            }
            guard ContinuousClock.now < deadline else {
                throw SocketError(.timedOut, call: "connect", detail: "listen queue full")
            }
            usleep(2_000)
        }
    }

    private static func connectTCP(
        host: String, port: UInt16, family: Endpoint.Family, until deadline: ContinuousClock.Instant
    ) throws(SocketError) -> Socket {
        let addresses = try resolve(host: host, port: port, family: family, passive: false)
        var lastError = SocketError(.unresolved, call: "getaddrinfo", detail: "no address for \(host)")
        for address in addresses {
            do throws(SocketError) {
                return try connect(address, until: deadline)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func connect(_ address: ResolvedAddress, until deadline: ContinuousClock.Instant) throws(SocketError) -> Socket {
        let socket = try open(family: address.family, protocol: address.protocol)
        socket.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let descriptor = socket.descriptor
        let result = address.storage.withUnsafeBytes { raw in
            Glibc.connect(descriptor, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), address.length)
        }
        guard result != 0 else { return socket }
        let number = errno
        guard number == EINPROGRESS || number == EINTR else { throw SocketError.failed("connect", number) }
        try socket.wait(for: .writable, until: deadline)
        var pending: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try syscall("getsockopt") { getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &pending, &length) }
        guard pending == 0 else { throw SocketError.failed("connect", pending) }
        return socket
    }
}

/// One address from `getaddrinfo`, copied out of its list.
struct ResolvedAddress {
    var family: Int32
    var `protocol`: Int32
    var storage: [UInt8]
    var length: socklen_t
}

/// Resolves `host` (nil: every address, for listening) and `port` for a stream socket.
func resolve(host: String?, port: UInt16, family: Endpoint.Family, passive: Bool) throws(SocketError) -> [ResolvedAddress] {
    var hints = addrinfo()
    switch family {
    case .ipv4: hints.ai_family = AF_INET
    case .ipv6: hints.ai_family = AF_INET6
    case .any: hints.ai_family = AF_UNSPEC
    }
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
        let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
        throw SocketError(.unresolved, call: "getaddrinfo", detail: "cannot resolve \"\(host ?? "*")\": \(reason)")
    }
    defer { freeaddrinfo(first) }
    var addresses: [ResolvedAddress] = []
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let info = cursor {
        cursor = info.pointee.ai_next
        guard let address = info.pointee.ai_addr else { continue }
        let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))
        addresses.append(ResolvedAddress(
            family: info.pointee.ai_family, protocol: info.pointee.ai_protocol, storage: bytes, length: info.pointee.ai_addrlen))
    }
    return addresses
}

/// A `sockaddr_un` for a path that fits.
struct UnixAddress {
    private var address = sockaddr_un()

    init(_ path: String) throws(SocketError) {
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path), !bytes.contains(0) else {
            throw SocketError(.system, call: "sockaddr_un", errno: ENAMETOOLONG, detail: "unix socket path \(path)")
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    }

    /// Calls `body` with the address as a `sockaddr` and its length.
    mutating func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
