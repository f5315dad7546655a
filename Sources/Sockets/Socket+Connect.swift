import Glibc

extension Socket {
    /// Connects to `endpoint`, trying each address a host resolves to, giving up at `deadline`.
    ///
    /// TCP sockets get `TCP_NODELAY`: every peer here (milters, clamd, SMTP) exchanges small
    /// packets, and without it each can wait out a delayed ACK (about 40 ms a round trip on loopback).
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

    /// A new non-blocking, close-on-exec socket, a stream socket unless `type` says otherwise.
    static func open(family: Int32, type: Int32 = Int32(SOCK_STREAM.rawValue), protocol: Int32 = 0) throws(SocketError) -> Socket {
        let type = type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
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
