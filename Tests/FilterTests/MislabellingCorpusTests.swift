import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Milter
import MilterTesting
import Synchronization
import Testing

/// The mislabelling corpus (Tests/FilterTests/Corpus/mislabelled, written by
/// scripts/types/generate_mislabel_corpus.py) through the whole session with the default
/// policy: real libmagic, real libarchive, the real ClamAV engine. Attachments real senders
/// mislabel every day are delivered as clean; disguises are refused, naming their rule.
@Suite struct MislabellingCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Corpus/mislabelled")

    /// `expected.tsv`: message name → "clean" or a rule (prefix) the refusal must name.
    static let expected: [(name: String, expectation: String)] = {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("expected.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let fields = line.split(separator: "\t")
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }()

    static var benign: [String] { expected.filter { $0.expectation == "clean" }.map(\.name) }
    static var hostile: [(String, String)] { expected.filter { $0.expectation != "clean" }.map { ($0.name, $0.expectation) } }

    /// A raw message split the way an MTA hands it to a milter: unfolded headers, then the body.
    static func split(_ name: String) throws -> (headers: [(String, String)], body: String) {
        let raw = try String(contentsOf: directory.appendingPathComponent(name + ".eml"), encoding: .utf8)
        let end = try #require(raw.range(of: "\r\n\r\n"))
        var headers: [(String, String)] = []
        for line in raw[..<end.lowerBound].components(separatedBy: "\r\n") {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append((last.0, last.1 + "\r\n" + line))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        return (headers, String(raw[end.upperBound...]))
    }

    /// Delivers corpus message `name` through a fresh default-policy session.
    static func deliver(_ name: String, logger: Logger = Logger(label: "test")) throws -> (FilterService, TestConnection, ResponseCode?) {
        let (made, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let service = FilterService(config: made.config, pipeline: made.pipeline, scanner: made.scanner, quarantine: nil, logger: logger)
        let message = try split(name)
        let (connection, code) = ScanSessionTests.deliver(service, headers: message.headers, body: message.body)
        return (service, connection, code)
    }

    @Test func theCorpusHoldsAtLeastFortyBenignCasesAndTheHostileOnes() {
        #expect(Self.benign.count >= 40)
        #expect(Self.hostile.count >= 15)
    }

    @Test(arguments: benign)
    func ordinaryMislabelledMailIsDeliveredAsClean(_ name: String) throws {
        let (service, connection, code) = try Self.deliver(name)
        #expect(code == .continue, "\(name): \(connection.context.reply.map { "\($0)" } ?? "no reply")")
        #expect(connection.context.addedHeaders.contains { $0.name == "X-Virus-Status" && $0.value == " Clean" }, "\(name)")
        #expect(service.metrics.snapshot.messagesByVerdict["clean"] == 1, "\(name)")
    }

    @Test(arguments: hostile)
    func disguisedAttachmentsAreStillRefusedNamingTheirRule(_ name: String, _ rule: String) throws {
        let (_, connection, code) = try Self.deliver(name)
        #expect(code == .reject, "\(name)")
        let reply = connection.context.reply?.lines.joined(separator: " ") ?? ""
        #expect(connection.context.reply?.code == 550, "\(name)")
        #expect(reply.contains(rule), "\(name): \(reply)")
    }

    @Test func aHarmlessMismatchIsRecordedInAHeaderTheLogAndTheMetricsButNotInTheStatus() throws {
        let lines = LogCapture()
        let (service, connection, code) = try Self.deliver("benign-png-named-jpg", logger: Logger(label: "test") { _ in lines.handler })
        #expect(code == .continue)
        let added = connection.context.addedHeaders.map { "\($0.name):\($0.value)" }
        #expect(added.contains("X-Virus-Status: Clean"))
        let recorded = "type-mismatch:jpeg-is-png (2 photo.jpg), content-type-mismatch:jpeg-is-png (2 photo.jpg)"
        #expect(added.contains("X-Virus-Type-Mismatch: \(recorded); harmless"))
        let done = try #require(lines.events.first { $0.message == "message done" })
        #expect(done.metadata["scan.harmless_mismatches"] == "\(recorded)")
        #expect(done.metadata["scan.verdict"] == "clean")
        #expect(service.metrics.snapshot.harmlessMismatches == ["type-mismatch": 1, "content-type-mismatch": 1])
        let page = service.metricsPage()
        #expect(page.contains("scanmilter_harmless_mismatches_total{kind=\"content-type-mismatch\"} 1\n"))
    }

    @Test func aForgedMismatchHeaderIsRemoved() throws {
        let (service, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (connection, _) = ScanSessionTests.deliver(service, headers: [("X-Virus-Type-Mismatch", " none"), ("Subject", " x")], body: "hi\r\n")
        #expect(connection.context.changedHeaders.contains { $0.name.lowercased() == "x-virus-type-mismatch" && $0.value.isEmpty })
        #expect(!connection.context.addedHeaders.contains { $0.name == "X-Virus-Type-Mismatch" })
    }

    @Test func withTypeMismatchOffOnlyTheContentAndNameRulesRemain() throws {
        // With type_mismatch off only the content and name rules remain: an .exe named .pdf is
        // still refused by its content, a .docm named .docx is not (nothing else looks at it).
        let (service, dir) = try ScanSessionTests.service { config, _ in config.policy.typeMismatch = false }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, expected) in [("hostile-exe-named-pdf", ResponseCode.reject), ("hostile-docm-named-docx", .continue),
                                 ("benign-png-named-jpg", .continue)] {
            let message = try Self.split(name)
            let (connection, code) = ScanSessionTests.deliver(service, headers: message.headers, body: message.body)
            #expect(code == expected, "\(name)")
            #expect(!connection.context.addedHeaders.contains { $0.name == "X-Virus-Type-Mismatch" }, "\(name)")
        }
    }
}

/// Keeps every log event, for tests that read the summary line.
final class LogCapture: Sendable {
    struct Event: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let stored = Mutex<[Event]>([])

    var events: [Event] { stored.withLock { $0 } }

    /// A handler writing into this capture.
    var handler: Handler { Handler(capture: self) }

    fileprivate func append(_ event: Event) { stored.withLock { $0.append(event) } }

    /// The swift-log handler: a value, as swift-log expects, sharing the capture.
    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { _, new in new }
            capture.append(Event(message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
        }
    }
}
