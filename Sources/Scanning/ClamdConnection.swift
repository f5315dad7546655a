import Glibc

/// One connection to a clamd server: a non-blocking socket whose every wait is bounded by a
/// deadline (poll), closed in `deinit`.
final class ClamdConnection {
    private let fd: Int32
    let endpoint: ClamdEndpoint

    /// Connects to `endpoint`, giving up at `deadline`.
    init(to endpoint: ClamdEndpoint, deadline: ContinuousClock.Instant) throws(ClamdError) {
        self.endpoint = endpoint
        switch endpoint {
        case .unix(let path):
            fd = try Self.connectUnix(path: path, endpoint: endpoint, deadline: deadline)
        case .tcp(let host, let port):
            fd = try Self.connectTCP(host: host, port: port, endpoint: endpoint, deadline: deadline)
        }
    }

    deinit {
        close(fd)
    }

    // MARK: - sending and receiving

    /// What `send` saw when it stopped early.
    enum SendOutcome {
        /// Every byte was sent.
        case sent
        /// The server answered (or closed) before taking everything: read its reply now.
        /// clamd does this when a stream passes its StreamMaxLength.
        case interrupted
    }

    /// Sends every byte of `bytes` unless the server answers first; each stall is bounded by `deadline`.
    func send(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(ClamdError) -> SendOutcome {
        var offset = 0
        while offset < bytes.count {
            let ready = try wait(for: Int16(POLLOUT) | Int16(POLLIN), until: deadline, doing: "send")
            if ready & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 { return .interrupted }
            let sent = Glibc.send(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                // A reset or broken pipe means the server stopped reading; its reply may be waiting.
                if errno == EPIPE || errno == ECONNRESET { return .interrupted }
                throw failure(.io, "send")
            }
            offset += sent
        }
        return .sent
    }

    /// Sends a whole byte array (commands and chunk headers).
    func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(ClamdError) -> SendOutcome {
        do {
            return try bytes.withUnsafeBytes { buffer throws(ClamdError) in try send(buffer, deadline: deadline) }
        } catch let error as ClamdError {
            throw error
        } catch {
            throw ClamdError(.io, endpoint: endpoint.description, message: "\(error)")
        }
    }

    /// Reads one reply: up to its NUL terminator (the `z` command form) or the end of the stream.
    func readReply(deadline: ContinuousClock.Instant, limit: Int = 64 * 1024) throws(ClamdError) -> String {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            _ = try wait(for: Int16(POLLIN), until: deadline, doing: "reply")
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                // The reply can arrive just before a reset; keep what came.
                if errno == ECONNRESET, !reply.isEmpty { break }
                throw failure(.io, "recv")
            }
            if count == 0 { break }
            if let nul = buffer[..<count].firstIndex(of: 0) {
                reply += buffer[..<nul]
                break
            }
            reply += buffer[..<count]
            guard reply.count <= limit else {
                throw ClamdError(.protocolViolation, endpoint: endpoint.description, message: "reply longer than \(limit) bytes")
            }
        }
        guard !reply.isEmpty else {
            throw ClamdError(.io, endpoint: endpoint.description, message: "connection closed without a reply")
        }
        var text = String(decoding: reply, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }

    /// Waits until the socket is ready for `events`, and returns what poll reported.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant, doing what: String) throws(ClamdError) -> Int16 {
        while true {
            let remaining = Self.milliseconds(until: deadline)
            guard remaining > 0 else {
                throw ClamdError(.timeout, endpoint: endpoint.description, message: "no progress on \(what) in time")
            }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&pfd, 1, remaining)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure(.io, "poll")
            }
            if result > 0 { return pfd.revents }
        }
    }

    private func failure(_ code: ClamdError.Code, _ call: String) -> ClamdError {
        Self.failure(code, call, errno, endpoint)
    }

    // MARK: - connecting

    private static func connectUnix(path: String, endpoint: ClamdEndpoint, deadline: ContinuousClock.Instant) throws(ClamdError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path), !pathBytes.contains(0) else {
            throw ClamdError(.badEndpoint, endpoint: endpoint.description, message: "unix socket path too long or malformed")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure(.connect, "socket", errno, endpoint) }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return try finishConnect(fd: fd, status: status, endpoint: endpoint, deadline: deadline)
    }

    private static func connectTCP(host: String, port: UInt16, endpoint: ClamdEndpoint, deadline: ContinuousClock.Instant) throws(ClamdError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw ClamdError(.connect, endpoint: endpoint.description, message: "getaddrinfo: \(reason)")
        }
        defer { freeaddrinfo(first) }
        var lastError = ClamdError(.connect, endpoint: endpoint.description, message: "no usable address")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = failure(.connect, "socket", errno, endpoint)
                continue
            }
            // Chunk headers are 4-byte writes; without TCP_NODELAY each would wait for an ACK.
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            do {
                return try finishConnect(fd: fd, status: connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen), endpoint: endpoint, deadline: deadline)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Completes a non-blocking connect within `deadline`; closes `fd` on failure.
    private static func finishConnect(fd: Int32, status: Int32, endpoint: ClamdEndpoint, deadline: ContinuousClock.Instant) throws(ClamdError) -> Int32 {
        if status == 0 { return fd }
        let code = errno
        guard code == EINPROGRESS || code == EINTR else {
            close(fd)
            throw failure(.connect, "connect", code, endpoint)
        }
        while true {
            let remaining = milliseconds(until: deadline)
            guard remaining > 0 else {
                close(fd)
                throw ClamdError(.timeout, endpoint: endpoint.description, message: "connect timed out")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, remaining)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                close(fd)
                throw failure(.connect, "connect", socketError, endpoint)
            }
            return fd
        }
    }

    private static func failure(_ code: ClamdError.Code, _ call: String, _ number: Int32, _ endpoint: ClamdEndpoint) -> ClamdError {
        ClamdError(code, endpoint: endpoint.description, message: "\(call): \(String(cString: strerror(number)))")
    }

    /// Milliseconds left until `deadline` for poll, at least 1 while any time remains.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, ms))
    }
}
