import Foundation
import Sockets
import Testing

/// The control socket and `/metrics` of the real daemon survive running out of descriptors:
/// the daemon runs under `prlimit --nofile=64:64`, idle milter connections use up its
/// descriptors, requests to both servers queue while accept fails with EMFILE, and once the
/// milter connections are released both answer the queued and new requests. The log says so
/// once per episode, not once per failed accept.
@Suite(.serialized) struct DescriptorExhaustionTests {
    static let limit = 64

    @Test func controlSocketAndMetricsAnswerAgainAfterDescriptorsRunOut() throws {
        let daemon = try HealthDaemonFixture(descriptorLimit: Self.limit)
        try daemon.start()
        defer { daemon.stop() }
        let pid = try #require(daemon.pid)
        #expect(try Client.control("ping", path: daemon.controlSocket) == "OK pong")

        for episode in 1...2 {
            let held = try exhaust(pid: pid, milterPath: String(daemon.milterSocket.dropFirst("unix:".count)))
            // Both requests wait in their listen queues while the daemon cannot accept them.
            let control = try Client(unixPath: daemon.controlSocket, request: "ping\n")
            let metrics = try Client(tcpPort: daemon.metricsPort, request: "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try waitFor("the exhaustion logged for both servers", in: daemon) {
                Self.lines($0, "cannot accept connections").count >= 2 * episode
            }
            // Let the loops fail a few more times (they back off from 10 ms), then give the
            // descriptors back.
            usleep(1_500_000)
            held.forEach { $0.close() }

            #expect(try control.reply(within: .seconds(30)) == "OK pong\n")
            #expect(try metrics.reply(within: .seconds(30)).hasPrefix("HTTP/1.1 200 OK"))
            #expect(try Client.control("ping", path: daemon.controlSocket) == "OK pong")
            #expect(try Client.control("status", path: daemon.controlSocket).hasPrefix("OK {"))
            #expect(daemon.scrape().contains("scanmilter_engine_loaded 1"))

            try waitFor("the recovery logged for both servers", in: daemon) {
                Self.lines($0, "accepting connections again").count >= 2 * episode
            }
            let log = (try? String(contentsOfFile: daemon.log, encoding: .utf8)) ?? ""
            for job in ["control socket", "metrics server"] {
                let failing = Self.lines(log, "cannot accept connections").filter { $0.contains(job) }
                #expect(failing.count == episode, "one line per episode for \(job): \(failing)")
                let recovered = Self.lines(log, "accepting connections again").filter { $0.contains(job) }
                #expect(recovered.count == episode)
                let failures = recovered.last.flatMap(Self.failureCount) ?? 0
                #expect(failures > 1, "the \(job) loop retried more than once during one logged episode")
            }
        }
    }

    /// Opens idle milter connections until the daemon holds `limit` descriptors; returns them.
    func exhaust(pid: Int32, milterPath: String) throws -> [Socket] {
        var held: [Socket] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while Self.openDescriptors(pid) < Self.limit {
            guard ContinuousClock.now < deadline, held.count < 4 * Self.limit else {
                throw Client.Failure(description: "could not exhaust the daemon's descriptors (\(Self.openDescriptors(pid)))")
            }
            // A full listen queue makes this give up quickly instead of blocking.
            if let socket = try? Socket.connect(to: .unix(path: milterPath), until: .now + .milliseconds(20)) {
                held.append(socket)
            }
            usleep(5_000)
        }
        return held
    }

    func waitFor(_ what: String, in daemon: HealthDaemonFixture, _ condition: (String) -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if condition((try? String(contentsOfFile: daemon.log, encoding: .utf8)) ?? "") { return }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: daemon.log, encoding: .utf8)) ?? ""
        throw Client.Failure(description: "timed out waiting for \(what); log:\n\(log)")
    }

    static func openDescriptors(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    static func lines(_ log: String, _ message: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains(message) }
    }

    static func failureCount(_ line: Substring) -> Int? {
        guard let range = line.range(of: "accept.failures=") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}

/// A client whose request is sent at once and whose reply is read later, with a deadline.
private struct Client {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let socket: Socket

    init(unixPath: String, request: String) throws {
        socket = try Socket.connect(to: .unix(path: unixPath), until: .now + .seconds(30))
        try socket.write(request, until: .now + .seconds(30))
    }

    init(tcpPort: Int, request: String) throws {
        socket = try Socket.connect(to: .tcp(host: "127.0.0.1", port: UInt16(tcpPort), family: .ipv4), until: .now + .seconds(30))
        try socket.write(request, until: .now + .seconds(30))
    }

    /// One command on a fresh control connection.
    static func control(_ command: String, path: String) throws -> String {
        try Client(unixPath: path, request: command + "\n").reply(within: .seconds(30)).trimmingCharacters(in: .newlines)
    }

    /// Reads to the end of the stream, waiting at most `limit`.
    func reply(within limit: Duration) throws -> String {
        String(decoding: try socket.readToEnd(until: .now + limit), as: UTF8.self)
    }
}
