import Glibc

/// A connected, non-blocking stream socket whose every read and write waits with `poll` until a
/// deadline, so a stalled milter gives `.timeout` instead of a hung thread.
///
/// A plain value holding the descriptor: `MilterConnection` owns it under its lock and closes it.
struct SocketChannel: Sendable {
    let descriptor: Int32

    /// Connects to a milter socket within `timeout`.
    static func connect(to spec: MilterSocketSpec, timeout: Duration) throws -> SocketChannel {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        switch spec {
        case .unix(let path):
            return try connectUnix(path: path, deadline: deadline)
        case .inet(let host, let port):
            return try connectTCP(host: host, port: port, family: AF_INET, deadline: deadline, spec: spec)
        case .inet6(let host, let port):
            return try connectTCP(host: host, port: port, family: AF_INET6, deadline: deadline, spec: spec)
        }
    }

    /// Writes every byte, waiting for the socket to drain until the deadline.
    func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result >= 0 {
                sent += result
                continue
            }
            let error = errno
            switch error {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                try wait(for: Int16(POLLOUT), until: deadline, doing: "sending to the milter")
            case EPIPE, ECONNRESET:
                throw MilterClientError(
                    .peerClosed, "the milter closed the connection while we were sending", systemError: error
                )
            default:
                throw MilterClientError(.ioFailed, "send to the milter failed", systemError: error)
            }
        }
    }

    /// Reads exactly `count` bytes. `context` names what is being read for the error messages.
    func receive(exactly count: Int, deadline: ContinuousClock.Instant, context: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                recv(descriptor, buffer.baseAddress.map { $0 + received }, count - received, 0)
            }
            if result > 0 {
                received += result
                continue
            }
            if result == 0 {
                throw MilterClientError(
                    .peerClosed,
                    "the milter closed the connection after \(received) of the \(count) bytes of \(context)"
                )
            }
            let error = errno
            switch error {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                try wait(for: Int16(POLLIN), until: deadline, doing: "waiting for \(context)")
            case ECONNRESET:
                throw MilterClientError(
                    .peerClosed, "the milter reset the connection while we read \(context)", systemError: error
                )
            default:
                throw MilterClientError(.ioFailed, "reading \(context) failed", systemError: error)
            }
        }
        return bytes
    }

    /// Reads one packet: the 4-byte length (refused above `maximumSize`), then command and payload.
    func receivePacket(maximumSize: Int, deadline: ContinuousClock.Instant) throws -> MilterPacket {
        let header = try receive(exactly: 4, deadline: deadline, context: "a packet length")
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0 else {
            throw MilterClientError(.truncatedPacket, "the milter sent a packet of length 0 (no command byte)")
        }
        guard length <= maximumSize else {
            throw MilterClientError(
                .oversizedPacket,
                "the milter announced a packet of \(length) bytes; the limit is \(maximumSize)"
            )
        }
        let body = try receive(exactly: length, deadline: deadline, context: "a \(length)-byte packet")
        return MilterPacket(command: body[0], payload: Array(body.dropFirst()))
    }

    /// Closes the descriptor.
    func close() {
        _ = Glibc.close(descriptor)
    }

    /// Waits with poll until the socket is ready for `events`, or throws `.timeout` at the deadline.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant, doing what: String) throws {
        try Self.poll(descriptor, events: events, until: deadline, doing: what)
    }

    private static func poll(_ descriptor: Int32, events: Int16, until deadline: ContinuousClock.Instant, doing what: String) throws {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw MilterClientError(.timeout, "timed out \(what)")
            }
            let milliseconds = remaining.components.seconds * 1000
                + Int64(remaining.components.attoseconds / 1_000_000_000_000_000) + 1
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let result = Glibc.poll(&entry, 1, Int32(clamping: milliseconds))
            if result > 0 {
                return
            }
            if result < 0 && errno != EINTR {
                throw MilterClientError(.ioFailed, "poll failed while \(what)", systemError: errno)
            }
        }
    }

    private static func openSocket(family: Int32) throws -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else {
            throw MilterClientError(.connectFailed, "cannot create a socket", systemError: errno)
        }
        return descriptor
    }

    private static func connectUnix(path: String, deadline: ContinuousClock.Instant) throws -> SocketChannel {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw MilterClientError(.invalidSocketSpec, "unix socket path \(path) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        while true {
            let descriptor = try openSocket(family: AF_UNIX)
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result == 0 {
                return SocketChannel(descriptor: descriptor)
            }
            let error = errno
            _ = Glibc.close(descriptor)
            // A full listen queue answers EAGAIN on a non-blocking unix connect: retry until the deadline.
            guard error == EAGAIN || error == EINTR else {
                throw MilterClientError(.connectFailed, "cannot connect to unix:\(path)", systemError: error)
            }
            guard ContinuousClock.now < deadline else {
                throw MilterClientError(.timeout, "timed out connecting to unix:\(path) (listen queue full)")
            }
            usleep(2_000)
        }
    }

    private static func connectTCP(
        host: String, port: UInt16, family: Int32, deadline: ContinuousClock.Instant, spec: MilterSocketSpec
    ) throws -> SocketChannel {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw MilterClientError(.connectFailed, "cannot resolve host \"\(host)\" of \(spec): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var lastError = MilterClientError(.connectFailed, "no address to connect to for \(spec)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            do {
                return try connectAddress(current.pointee, deadline: deadline, spec: spec)
            } catch let error as MilterClientError {
                lastError = error
            }
        }
        throw lastError
    }

    private static func connectAddress(_ info: addrinfo, deadline: ContinuousClock.Instant, spec: MilterSocketSpec) throws -> SocketChannel {
        let descriptor = try openSocket(family: info.ai_family)
        do {
            // Small packets both ways: without TCP_NODELAY each one can wait out a delayed ACK.
            var one: Int32 = 1
            _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(descriptor, info.ai_addr, info.ai_addrlen) != 0 {
                let error = errno
                guard error == EINPROGRESS || error == EINTR else {
                    throw MilterClientError(.connectFailed, "cannot connect to \(spec)", systemError: error)
                }
                try poll(descriptor, events: Int16(POLLOUT), until: deadline, doing: "connecting to \(spec)")
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                guard socketError == 0 else {
                    throw MilterClientError(.connectFailed, "cannot connect to \(spec)", systemError: socketError)
                }
            }
            return SocketChannel(descriptor: descriptor)
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
    }
}
