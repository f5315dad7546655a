import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Milter
import MilterTesting
import Quarantine
import Testing

/// The Prometheus endpoint end to end in one process: messages go through real scanning
/// sessions (MilterTesting's scripted connection, real libclamav and libmagic), then the
/// endpoint is scraped over a real TCP socket and its numbers compared with what was sent.
@Suite struct MetricsEndpointTests {
    static func serve(_ service: FilterService) throws -> MetricsServer {
        let server = try MetricsServer(listen: "127.0.0.1:0") { service.metricsResponse(path: $0) }
        server.start()
        return server
    }

    @Test func countersMatchTheMessagesThatFlowed() throws {
        let (service, dir) = try ScanSessionTests.service { config, _ in config.scan.maxMessageSize = 4000 }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.serve(service)
        defer { server.stop() }

        for _ in 0..<3 { _ = ScanSessionTests.deliver(service, headers: [("Subject", " hi")], body: "Hello\r\n") }
        for _ in 0..<2 {
            _ = ScanSessionTests.deliver(
                service, headers: ScanSessionTests.multipartHeaders,
                body: ScanSessionTests.multipartBody(attachment: ScanSessionTests.eicar, name: "eicar.com"))
        }
        // One message past max_message_size: a SKIP, an oversize count.
        let big = TestConnection { service.makeSession() }
        big.connect()
        big.mailFrom("<a@example.org>")
        big.rcptTo("<b@example.net>")
        big.header("Subject", " big")
        big.endOfHeaders()
        _ = big.body([UInt8](repeating: UInt8(ascii: "a"), count: 3000))
        #expect(big.body([UInt8](repeating: UInt8(ascii: "b"), count: 3000)) == .skip)
        _ = big.endOfMessage()

        let reply = try MetricsHTTP.get("/metrics", port: server.port)
        #expect(reply.status == 200)
        #expect(reply.headers.contains("Content-Type: text/plain; version=0.0.4"))
        let body = reply.body
        let value = { (series: String) in MetricsHTTP.value(series, in: body) }
        #expect(value(#"scanmilter_messages_total{verdict="clean"}"#) == 3)
        #expect(value(#"scanmilter_messages_total{verdict="infected"}"#) == 2)
        #expect(value(#"scanmilter_messages_total{verdict="unscanned"}"#) == 1)
        #expect(value(#"scanmilter_actions_total{action="reject"}"#) == 2)
        #expect(value(#"scanmilter_actions_total{action="tag"}"#) == 4)
        #expect(value("scanmilter_skips_total") == 1)
        #expect(value("scanmilter_oversize_messages_total") == 1)
        #expect(value("scanmilter_connections_total") == 6)
        #expect(value("scanmilter_messages_in_flight") == 0)
        #expect(value(#"scanmilter_stage_duration_seconds_count{stage="total"}"#) == 6)
        #expect(value(#"scanmilter_stage_duration_seconds_count{stage="scan"}"#) == 6)
        #expect(value(#"scanmilter_stage_duration_seconds_bucket{stage="scan",le="+Inf"}"#) == 6)
        #expect((value("scanmilter_scanned_bytes_total") ?? 0) > 4000)
        #expect((value("scanmilter_received_bytes_total") ?? 0) > (value("scanmilter_scanned_bytes_total") ?? 0))
        #expect(value("scanmilter_signatures") == 1)
        #expect(value("scanmilter_engine_loaded") == 1)
        #expect(body.contains(#"scanmilter_engine_info{backend="clamav",database="#))
        #expect(body.contains("# TYPE scanmilter_stage_duration_seconds histogram"))
    }

    @Test func histogramBucketsAreCumulativeAndEndInTheCount() throws {
        var histogram = Histogram(bounds: [0.01, 0.1, 1])
        for value in [0.005, 0.05, 0.05, 0.5, 5] { histogram.observe(value) }
        #expect(histogram.cumulative.map(\.count) == [1, 3, 4, 5])
        #expect(histogram.cumulative.map(\.bound) == ["0.01", "0.1", "1", "+Inf"])
        #expect(histogram.count == 5)
        #expect(abs(histogram.sum - 5.605) < 1e-9)
    }

    @Test func labelValuesAreEscapedSoAVirusNameCannotBreakTheFormat() {
        let text = PrometheusText.labels(["database": "a\"b\\c\nd", "le": "1", "backend": "x"])
        #expect(text == #"{backend="x",database="a\"b\\c\nd",le="1"}"#)
    }

    @Test func quarantineEntriesAreCountedFromTheStore() throws {
        let (plain, dir) = try ScanSessionTests.service { config, _ in config.actions.infected = .quarantine }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuarantineStore(directory: "\(dir)/quarantine", logger: Logger(label: "test"))
        let service = FilterService(config: plain.config, pipeline: plain.pipeline, scanner: plain.scanner, quarantine: store, logger: plain.logger)
        let server = try Self.serve(service)
        defer { server.stop() }
        let (_, code) = ScanSessionTests.deliver(service, headers: [("Subject", " x")], body: ScanSessionTests.eicar + "\r\n")
        #expect(code == .discard)  // stored, then taken out of Postfix's hands
        let body = try MetricsHTTP.get("/metrics", port: server.port).body
        #expect(MetricsHTTP.sum("scanmilter_quarantine_entries{", in: body) == 1)
        #expect(!body.contains("scanmilter_quarantine_entries_total"), "a gauge must not end in _total")
        #expect(MetricsHTTP.value(#"scanmilter_actions_total{action="quarantine"}"#, in: body) == 1)
    }

    @Test func healthIsOKWithAnEngineLoaded() throws {
        let (service, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.serve(service)
        defer { server.stop() }
        let reply = try MetricsHTTP.get("/health", port: server.port)
        #expect(reply.status == 200)
        #expect(reply.body.hasPrefix("ok: "))
    }

    @Test func healthIsUnavailableWhenAnInPlaceReloadLeftNoEngine() throws {
        let (service, dir) = try ScanSessionTests.service { config, _ in config.scan.reloadMode = .inPlace }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A database file that is there (so the pre-check passes) but does not load, rewritten in
        // place (not replaced), so the previous set cannot be loaded again either.
        try "this is not a signature\n".write(toFile: "\(dir)/db/test.ndb", atomically: false, encoding: .utf8)
        #expect(throws: (any Error).self) { try service.scanner.reload() }
        let server = try Self.serve(service)
        defer { server.stop() }
        let reply = try MetricsHTTP.get("/health", port: server.port)
        #expect(reply.status == 503)
        #expect(reply.body.contains("no scanning engine loaded"))
        let metrics = try MetricsHTTP.get("/metrics", port: server.port).body
        #expect(MetricsHTTP.value("scanmilter_engine_loaded", in: metrics) == 0)
    }

    @Test(arguments: [
        ("GET /nope HTTP/1.1\r\n\r\n", 404), ("POST /metrics HTTP/1.1\r\n\r\n", 405),
        ("HELLO\r\n\r\n", 400), ("GET metrics\r\n\r\n", 400), ("GET /health?x=1 HTTP/1.0\r\n\r\n", 200),
    ])
    func requestsOtherThanAScrapeGetAClearStatus(request: String, status: Int) throws {
        let (service, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Self.serve(service)
        defer { server.stop() }
        #expect(try MetricsHTTP.send(raw: request, port: server.port).status == status)
    }

    @Test(arguments: ["9465", "localhost", "127.0.0.1:http", "127.0.0.1:70000", "256.1.1.1:9465"])
    func aBadListenAddressIsAnErrorNamingTheKey(address: String) {
        #expect {
            _ = try MetricsServer(listen: address) { _ in MetricsServer.Response(status: 200, body: "") }
        } throws: { error in
            "\(error)".contains("[metrics] listen = \"\(address)\"")
        }
    }

    @Test func aPortInUseIsAnError() throws {
        let first = try MetricsServer(listen: "127.0.0.1:0") { _ in MetricsServer.Response(status: 200, body: "") }
        defer { first.stop() }
        #expect(throws: MetricsServer.ListenError.self) {
            _ = try MetricsServer(listen: "127.0.0.1:\(first.port)") { _ in MetricsServer.Response(status: 200, body: "") }
        }
    }
}
