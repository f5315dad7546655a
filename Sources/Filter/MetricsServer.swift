#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A tiny HTTP/1.1 server for Prometheus scrapes and health probes (`[metrics] listen`):
/// `GET /metrics` and `GET /health`, one request per connection, on its own thread.
///
/// Deliberately small: scrapes come every few seconds from one or two collectors, so one
/// connection at a time with short timeouts is enough, and a stuck client can hold nothing
/// but this thread (never a milter worker).
public final class MetricsServer: Sendable {
    /// What a request gets: status, content type, body.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: String

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// Answers a request for `path` (query string removed).
    public typealias Handler = @Sendable (_ path: String) -> Response

    /// The listen address could not be used.
    public struct ListenError: Error, Sendable, CustomStringConvertible {
        public var address: String
        public var reason: String
        public var description: String { "[metrics] listen = \"\(address)\": \(reason)" }
    }

    private let listener: Int32
    private let handler: Handler
    private let stopped = Atomic<Bool>(false)
    /// The port actually bound (useful with port 0).
    public let port: Int

    /// Binds `address` (`HOST:PORT`, `[IPv6]:PORT`, or `:PORT` for every address).
    public init(listen address: String, handler: @escaping Handler) throws {
        self.handler = handler
        let (host, service) = try Self.split(address)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, service, &hints, &list)
        guard status == 0, let first = list else {
            throw ListenError(address: address, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw ListenError(address: address, reason: String(cString: strerror(errno))) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
            let error = errno
            close(fd)
            throw ListenError(address: address, reason: String(cString: strerror(error)))
        }
        listener = fd
        port = Self.boundPort(fd)
    }

    /// Serves on a new thread until `stop()`.
    public func start() {
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops accepting and closes the socket.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let response: Response
        switch Self.readRequest(client) {
        case .success(let request):
            response = request.method == "GET" || request.method == "HEAD"
                ? handler(request.path)
                : Response(status: 405, body: "only GET\n")
            send(response, to: client, includeBody: request.method != "HEAD")
        case .failure(let problem):
            response = Response(status: 400, body: "\(problem.reason)\n")
            send(response, to: client, includeBody: true)
        }
    }

    /// A request line: method and path.
    struct Request: Equatable {
        var method: String
        var path: String
    }

    /// Why a request was refused.
    struct BadRequest: Error, Equatable {
        var reason: String
    }

    /// Reads up to the end of the headers (at most 8 KiB) and parses the request line.
    static func readRequest(_ client: Int32) -> Result<Request, BadRequest> {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while data.count < 8192 {
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data += chunk[0..<count]
            if data.firstRange(of: [13, 10, 13, 10] as [UInt8]) != nil { break }
        }
        return parseRequestLine(data)
    }

    /// Parses `METHOD /path[?query] HTTP/1.x` from the start of `data`.
    static func parseRequestLine(_ data: [UInt8]) -> Result<Request, BadRequest> {
        guard let end = data.firstIndex(of: 13) ?? data.firstIndex(of: 10) else {
            return .failure(BadRequest(reason: "no request line"))
        }
        let words = String(decoding: data[..<end], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, words[2].hasPrefix("HTTP/1."), words[1].hasPrefix("/") else {
            return .failure(BadRequest(reason: "malformed request line"))
        }
        let path = words[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        return .success(Request(method: String(words[0]), path: path))
    }

    private func send(_ response: Response, to client: Int32, includeBody: Bool) {
        let body = Array(response.body.utf8)
        let head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            + "Content-Type: \(response.contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if includeBody { bytes += body }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    /// Splits `HOST:PORT`, `[V6]:PORT` or `:PORT`; the port must be a number.
    static func split(_ address: String) throws -> (host: String, port: String) {
        var host = ""
        var port = ""
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            host = String(address[address.index(after: address.startIndex)..<close])
            let rest = address[address.index(after: close)...]
            if rest.hasPrefix(":") { port = String(rest.dropFirst()) }
        } else if let colon = address.lastIndex(of: ":") {
            host = String(address[..<colon])
            port = String(address[address.index(after: colon)...])
        }
        if host == "*" { host = "" }
        guard let number = Int(port), (0...65535).contains(number) else {
            throw ListenError(address: address, reason: "expected HOST:PORT, e.g. 127.0.0.1:9465")
        }
        return (host, port)
    }

    private static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { return 0 }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer -> Int in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}
