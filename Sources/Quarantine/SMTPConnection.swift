import MilterProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why talking to the relay failed: where it failed, and the reply when there was one.
struct SMTPFailure: Error, CustomStringConvertible {
    /// The step (`connect`, `MAIL FROM:<a@b>`, `end of data`).
    var stage: String
    /// The relay's reply, when it answered.
    var reply: SMTPReply?
    /// What went wrong when there is no reply (a timeout, a refused connection).
    var detail: String

    var description: String {
        if let reply { return "relay refused \(stage): \(reply)" }
        return "\(stage): \(detail)"
    }
}

/// One TCP connection to an SMTP server, with a timeout on every read and write; it reads
/// replies line by line and refuses an endless or oversized reply from a hostile peer.
final class SMTPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Longest reply line accepted (RFC 5321 section 4.5.3.1.5 says 512; servers exceed it).
    private static let maximumLineLength = 8192
    /// Most lines in one reply (an EHLO reply lists the extensions).
    private static let maximumLines = 200

    /// Connects to `address`, waiting at most `timeout` seconds.
    init(to address: RelayAddress, timeout: Double) throws(SMTPFailure) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let first = list else {
            throw SMTPFailure(stage: "connect to \(address)", detail: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let socketDescriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard socketDescriptor >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            if let problem = Self.connect(socketDescriptor, info.pointee.ai_addr, info.pointee.ai_addrlen, timeout: timeout) {
                lastError = problem
                close(socketDescriptor)
                continue
            }
            var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
            descriptor = socketDescriptor
            return
        }
        throw SMTPFailure(stage: "connect to \(address)", detail: lastError)
    }

    deinit { close(descriptor) }

    /// A non-blocking connect bounded by `timeout`; nil on success, else why it failed.
    private static func connect(_ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, timeout: Double) -> String? {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(descriptor, address, length) != 0 {
            guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(timeout * 1000))
            guard ready > 0 else { return ready == 0 ? "timed out after \(timeout) s" : String(cString: strerror(errno)) }
            var problem: Int32 = 0
            var problemLength = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &problem, &problemLength)
            if problem != 0 { return String(cString: strerror(problem)) }
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        return nil
    }

    /// Sends `bytes` whole.
    func send(_ bytes: [UInt8], stage: String) throws(SMTPFailure) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out sending" : String(cString: strerror(errno))
                throw SMTPFailure(stage: stage, detail: reason)
            }
            sent += result
        }
    }

    /// Sends one command line (CRLF added) and reads the reply.
    func command(_ line: String) throws(SMTPFailure) -> SMTPReply {
        try send(Array(line.utf8) + [13, 10], stage: line)
        return try readReply(stage: line)
    }

    /// Reads one reply, all its lines (`250-...` continues, `250 ...` ends).
    func readReply(stage: String) throws(SMTPFailure) -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try readLine(stage: stage)
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))), (200...599).contains(code) else {
                throw SMTPFailure(stage: stage, detail: "malformed reply line '\(line.prefix(80))'")
            }
            let last = bytes.count == 3 || bytes[3] == UInt8(ascii: " ")
            guard last || bytes[3] == UInt8(ascii: "-") else {
                throw SMTPFailure(stage: stage, detail: "malformed reply line '\(line.prefix(80))'")
            }
            lines.append(line)
            if last {
                do {
                    return try SMTPReply(replyLines: lines)
                } catch {
                    throw SMTPFailure(stage: stage, detail: "malformed reply: \(error.reason)")
                }
            }
            guard lines.count < Self.maximumLines else { throw SMTPFailure(stage: stage, detail: "reply longer than \(Self.maximumLines) lines") }
        }
    }

    private func readLine(stage: String) throws(SMTPFailure) -> String {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                var end = newline
                if end > 0 && buffer[end - 1] == 13 { end -= 1 }
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            guard buffer.count <= Self.maximumLineLength else { throw SMTPFailure(stage: stage, detail: "reply line longer than \(Self.maximumLineLength) bytes") }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let got = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got < 0 {
                if errno == EINTR { continue }
                let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out waiting for the relay's reply" : String(cString: strerror(errno))
                throw SMTPFailure(stage: stage, detail: reason)
            }
            guard got > 0 else { throw SMTPFailure(stage: stage, detail: "the relay closed the connection") }
            buffer.append(contentsOf: chunk[0..<got])
        }
    }
}
