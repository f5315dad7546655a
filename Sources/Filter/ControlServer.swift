#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A small unix-socket server through which `scanmilterctl` talks to the running daemon:
/// `reload` (hot-reload signatures and confirm), `status` (JSON), `ping`.
///
/// Protocol: the client sends one command line; the server answers one line, `OK <text>` or
/// `ERR <text>`, and closes. One connection at a time on its own thread: commands are rare and
/// a reload must not run twice at once anyway. Signals are not used because libmilter treats
/// SIGHUP as stop and a signal cannot carry an answer back.
public final class ControlServer: Sendable {
    /// Answers one command; returns the reply text or throws an error whose description is sent.
    public typealias Handler = @Sendable (_ command: String, _ arguments: [String]) throws -> String

    /// The socket could not be opened.
    public struct SocketError: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var errno: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    private let path: String
    private let listener: Int32
    private let handler: Handler
    private let stopped = Atomic<Bool>(false)

    /// Opens the socket at `path` (a stale socket file there is replaced), mode 0660.
    public init(path: String, handler: @escaping Handler) throws {
        self.path = path
        self.handler = handler
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", path: path, errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw SocketError(operation: "bind", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let error = errno
            close(fd)
            throw SocketError(operation: "bind", path: path, errno: error)
        }
        chmod(path, 0o660)
        self.listener = fd
    }

    /// Serves on a new thread until `stop()`.
    public func start() {
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops serving and removes the socket file.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    private func serve() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var byte: UInt8 = 0
        while request.count < 1024, read(client, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            request.append(byte)
        }
        let words = String(decoding: request, as: UTF8.self).split(separator: " ").map(String.init)
        let reply: String
        if let command = words.first {
            do {
                reply = "OK " + (try handler(command.lowercased(), Array(words.dropFirst())))
            } catch {
                reply = "ERR \(error)"
            }
        } else {
            reply = "ERR empty command"
        }
        let bytes = Array((reply.replacingNewlines() + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }

    /// Sends `command` to the daemon's control socket and returns its reply line.
    public static func send(_ command: String, to path: String, timeout seconds: Int = 120) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", path: path, errno: errno) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SocketError(operation: "connect", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw SocketError(operation: "connect", path: path, errno: errno) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array((command + "\n").utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SocketError(operation: "read reply from", path: path, errno: errno) }
            if count == 0 { break }
            reply += chunk[0..<count]
            if reply.last == UInt8(ascii: "\n") { break }
        }
        return String(decoding: reply, as: UTF8.self).trimmingCharacters(in: "\n\r")
    }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
