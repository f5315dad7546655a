import Foundation
public import Logging
import Sockets

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

    private let server: SocketServer
    private let handler: Handler
    private let logger: Logger
    /// The port actually bound (useful with port 0).
    public let port: Int

    /// Binds `address` (`HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `*:PORT` for every address, or
    /// any other TCP form of the socket address grammar, e.g. `inet:9465@127.0.0.1`).
    public init(listen address: String, logger: Logger = Logger(label: "scanmilter.metrics"), handler: @escaping Handler) throws {
        self.handler = handler
        self.logger = logger
        let endpoint: Endpoint
        do throws(EndpointError) {
            endpoint = try Endpoint(parsing: address, rules: .listen)
        } catch {
            throw ListenError(address: address, reason: error.reason)
        }
        guard endpoint.port != nil else {
            throw ListenError(address: address, reason: "expected HOST:PORT, e.g. 127.0.0.1:9465")
        }
        do throws(SocketError) {
            server = try SocketServer(Listener(endpoint, backlog: 16), name: "metrics server", logger: logger)
        } catch {
            throw ListenError(address: address, reason: "\(error)")
        }
        port = server.listener.port
    }

    /// Serves on its own thread until `stop()`.
    public func start() {
        server.start { [self] client, deadline in answer(client, until: deadline) }
    }

    /// Stops accepting and closes the socket.
    public func stop() {
        server.stop()
    }

    private func answer(_ client: Socket, until deadline: ContinuousClock.Instant) {
        let response: Response
        let includeBody: Bool
        switch Self.readRequest(client, until: deadline) {
        case .success(let request):
            response = request.method == "GET" || request.method == "HEAD"
                ? handler(request.path)
                : Response(status: 405, body: "only GET\n")
            includeBody = request.method != "HEAD"
        case .failure(let problem):
            response = Response(status: 400, body: "\(problem.reason)\n")
            includeBody = true
        }
        do {
            try client.write(Self.encode(response, includeBody: includeBody), until: deadline)
        } catch {
            logger.info("metrics client went away before the reply", metadata: ["error": "\(error)"])
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
    static func readRequest(_ client: Socket, until deadline: ContinuousClock.Instant) -> Result<Request, BadRequest> {
        var data: [UInt8] = []
        while data.count < 8192 {
            guard let chunk = try? client.read(upTo: 1024, until: deadline), !chunk.isEmpty else { break }
            data += chunk
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

    /// The whole HTTP/1.1 reply: status line, headers, and the body unless it is a HEAD.
    static func encode(_ response: Response, includeBody: Bool) -> [UInt8] {
        let body = Array(response.body.utf8)
        let head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            + "Content-Type: \(response.contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
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
}
