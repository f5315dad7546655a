import Foundation
import Sockets

/// A plain HTTP/1.1 client over a real TCP socket, for scraping the metrics endpoint the way
/// Prometheus does (one GET, `Connection: close`, read to the end).
enum MetricsHTTP {
    struct Reply {
        var status: Int
        var headers: String
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `request` (raw) to 127.0.0.1:`port` and parses the reply.
    static func send(raw request: String, port: Int) throws -> Reply {
        let deadline = ContinuousClock.now + .seconds(5)
        let socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: UInt16(port), family: .ipv4), until: deadline)
        try socket.write(request, until: deadline)
        let reply = try socket.readToEnd(until: deadline)
        let text = String(decoding: reply, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no header end in: \(text)") }
        let head = String(text[..<split.lowerBound])
        let words = head.split(separator: " ", maxSplits: 2)
        guard words.count >= 2, let status = Int(words[1]) else { throw Failure(description: "bad status line: \(head)") }
        return Reply(status: status, headers: head, body: String(text[split.upperBound...]))
    }

    /// `GET path`.
    static func get(_ path: String, port: Int) throws -> Reply {
        try send(raw: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    /// The value of the sample line that starts with `series` (name plus labels), if any.
    /// The sum of every sample whose line starts with `prefix` (e.g. all labels of one family).
    static func sum(_ prefix: String, in body: String) -> Double {
        body.split(separator: "\n").filter { $0.hasPrefix(prefix) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    static func value(_ series: String, in body: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
