import Foundation
import Logging
import MIME
@testable import Scanning
import Synchronization
import Testing

/// A backend whose scans wait elsewhere (clamd) gets a message's scans at once: the same verdicts
/// as one after another, in one round trip instead of one per part.
@Suite struct SideBySideScanTests {
    /// The real embedded engine behind a backend that asks for side-by-side scans and, for each
    /// message, holds every scan until `expected` of them are in flight (or 5 s passed): scans
    /// sent one after another never get there, and `widest` says so.
    final class Rendezvous: ScanBackend {
        let engine: ClamAVBackend
        let expected: Int
        let inFlight = Atomic<Int>(0)
        let widest = Atomic<Int>(0)

        init(engine: ClamAVBackend, expected: Int) {
            self.engine = engine
            self.expected = expected
        }

        var prefersParallelScans: Bool { true }
        var databaseDescription: String { engine.databaseDescription }

        func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict { meet { engine.scan(bytes) } }
        func scan(fileDescriptor: Int32) -> ScanVerdict { meet { engine.scan(fileDescriptor: fileDescriptor) } }
        func scan(message: MessageBytes, decodingMail: Bool) -> ScanVerdict {
            meet { engine.scan(message: message, decodingMail: decodingMail) }
        }

        private func meet(_ body: () -> ScanVerdict) -> ScanVerdict {
            let now = inFlight.add(1, ordering: .sequentiallyConsistent).newValue
            widest.max(now, ordering: .sequentiallyConsistent)
            let deadline = ContinuousClock.now + .seconds(5)
            while widest.load(ordering: .sequentiallyConsistent) < expected && ContinuousClock.now < deadline {
                usleep(1000)
            }
            defer { inFlight.subtract(1, ordering: .sequentiallyConsistent) }
            return body()
        }
    }

    static let messages: [(name: String, text: String)] = [
        ("eicar attachment", MessageSamples.multipart(attachment: MessageScannerTests.largeEicar, filename: "big.bin")),
        ("clean attachment", MessageSamples.multipart(attachment: Array(repeating: 0x41, count: 20_000), filename: "a.bin")),
        ("forwarded eicar", MessageSamples.forwarding(MessageSamples.multipart(attachment: TestDatabase.eicar, filename: "eicar.com"))),
        ("two readings", MessageSamples.ambiguousBoundary(hiding: TestDatabase.eicar)),
    ]

    @Test(arguments: [MessageScanner.Strategy.everyPartSkeleton, .everyPart, .everyPartRaw])
    func sideBySideScansGiveTheSameReportAsScansInTurn(strategy: MessageScanner.Strategy) throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let engine = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: Logger(label: "test.sidebyside"))
        for sample in Self.messages {
            let parsed = MIMEParser().parse(MessageBytes(Array(sample.text.utf8)))
            let inTurn = MessageScanner(backend: engine, strategy: strategy).scan(parsed)
            let backend = Rendezvous(engine: engine, expected: 2)
            let atOnce = MessageScanner(backend: backend, strategy: strategy).scan(parsed)
            #expect(atOnce == inTurn, "\(sample.name)")
            #expect(backend.widest.load(ordering: .sequentiallyConsistent) >= 2, "\(sample.name): scans were sent one after another")
        }
    }

    @Test func theSkeletonAndTheDecodedAttachmentGoOutTogether() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        let engine = try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: Logger(label: "test.sidebyside"))
        let parsed = MIMEParser().parse(MessageBytes(Array(MessageSamples.multipart(attachment: MessageScannerTests.largeEicar, filename: "big.bin").utf8)))
        let backend = Rendezvous(engine: engine, expected: 2)
        let report = MessageScanner(backend: backend, strategy: .everyPartSkeleton).scan(parsed)
        // The skeleton left the attachment out; its decoded scan, sent beside it, found EICAR.
        #expect(report.wholeMessage == .clean)
        #expect(report.infectedParts.map(\.path) == ["2"])
        #expect(report.scanCount == 2)
        #expect(MessageScanner(backend: backend, strategy: .everyPartSkeleton).scansAtOnce(parsed) == 2)
        #expect(MessageScanner(backend: engine, strategy: .everyPartSkeleton).scansAtOnce(parsed) == 1, "in turn: one at a time")
        #expect(backend.widest.load(ordering: .sequentiallyConsistent) == 2)
    }
}
