import Foundation
import Logging
import Scanning
import Testing
@testable import ScanWorkers

/// The real thing: the built `scanmilter` started as a zygote over a real signature file, real
/// forked workers under seccomp and Landlock, and crashes brought on by the test-only fault
/// markers (standing in for a libclamav crash, which no fixed release produces on purpose).
@Suite("Scan workers", .serialized)
struct IsolatedScanBackendTests {
    static let eicar = Array(#"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8)
    static let scanmilter = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("scanmilter").path

    /// A directory with a signature file and a config, removed at the end.
    final class Fixture {
        let directory: String
        let backend: IsolatedScanBackend

        init(workers: Int = 2, timeout: Duration = .seconds(20)) throws {
            directory = NSTemporaryDirectory() + "scan-workers-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
            let hex = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8.map { String(format: "%02x", $0) }.joined()
            try "Test.EICAR:0:*:\(hex)\n".write(toFile: directory + "/db/test.ndb", atomically: true, encoding: .utf8)
            try """
                [scan]
                database_dir = "\(directory)/db"
                temp_dir = "\(directory)/tmp"
                [log]
                level = "error"
                """.write(toFile: directory + "/scanmilter.toml", atomically: true, encoding: .utf8)
            var environment = ProcessInfo.processInfo.environment
            environment["SCANMILTER_TEST_FAULT_INJECTION"] = "1"
            var logger = Logger(label: "scan-workers-test")
            logger.logLevel = .critical
            backend = try IsolatedScanBackend(
                configuration: .init(
                    executable: IsolatedScanBackendTests.scanmilter, arguments: ["--scan-zygote", "--config", directory + "/scanmilter.toml"],
                    workers: workers, scanTimeout: timeout, environment: environment),
                logger: logger)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: scanmilter), "needs the built scanmilter"))
    func workersScanWithTheZygotesEngine() throws {
        let fixture = try Fixture()
        #expect(fixture.backend.scan(Self.eicar[...]) == .infected(["Test.EICAR.UNOFFICIAL"]))
        #expect(fixture.backend.scan(Array("hello".utf8)[...]) == .clean)
        #expect(fixture.backend.scanRawMessage(Array("Subject: x\r\n\r\nhello\r\n".utf8)[...]) == .clean)
        let status = fixture.backend.status
        #expect(status.workers == 2)
        #expect(status.confinement.contains("seccomp=yes"))
        #expect(fixture.backend.databaseDescription.contains("1 signatures"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: scanmilter), "needs the built scanmilter"))
    func aCrashCostsOneScanAndTheWorkerIsReplaced() throws {
        let fixture = try Fixture()
        let crash = fixture.backend.scan(Array("x SCANMILTER-TEST-FAULT-SEGV x".utf8)[...])
        guard case .unscannable(let reason) = crash else {
            Issue.record("expected unscannable, got \(crash)")
            return
        }
        #expect(reason.code == .workerCrashed)
        #expect(reason.detail.contains("SIGSEGV"))
        #expect(fixture.backend.scan(Self.eicar[...]) == .infected(["Test.EICAR.UNOFFICIAL"]))
        #expect(fixture.backend.status.deaths == ["SIGSEGV": 1])
        #expect(fixture.backend.status.workers == 2)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: scanmilter), "needs the built scanmilter"))
    func aForbiddenSystemCallAndAHangAreNamed() throws {
        let fixture = try Fixture(timeout: .seconds(2))
        let socket = fixture.backend.scan(Array("SCANMILTER-TEST-FAULT-SYS".utf8)[...])
        #expect(socket == .unscannable(UnscannableReason(.workerCrashed, socketDetail(socket))))
        #expect(socketDetail(socket).contains("seccomp"))
        let hang = fixture.backend.scan(Array("SCANMILTER-TEST-FAULT-HANG".utf8)[...])
        #expect(socketDetail(hang).contains("did not answer within 2 s"))
        #expect(fixture.backend.status.deaths == ["seccomp": 1, "timeout": 1])
        #expect(fixture.backend.scan(Array("fine".utf8)[...]) == .clean)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: scanmilter), "needs the built scanmilter"))
    func scansInFlightOnOtherWorkersCompleteWhenOneDies() async throws {
        let fixture = try Fixture(workers: 3)
        let backend = fixture.backend
        let big = [UInt8](repeating: 0x41, count: 8 << 20) + Self.eicar
        async let first = Task.detached { backend.scan(big[...]) }.value
        async let crash = Task.detached { backend.scan(Array("SCANMILTER-TEST-FAULT-ABRT".utf8)[...]) }.value
        async let second = Task.detached { backend.scan(big[...]) }.value
        let results = await (first, crash, second)
        #expect(results.0 == .infected(["Test.EICAR.UNOFFICIAL"]))
        #expect(results.2 == .infected(["Test.EICAR.UNOFFICIAL"]))
        #expect(socketDetail(results.1).contains("SIGABRT"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: scanmilter), "needs the built scanmilter"))
    func aWorkerKilledWhileIdleCostsNothingAndAReloadKeepsScanning() throws {
        let fixture = try Fixture(workers: 1)
        let pid = try #require(Self.workerPIDs(of: fixture.backend.status.zygotePID).first)
        kill(pid, SIGKILL)
        usleep(100_000)
        #expect(fixture.backend.scan(Self.eicar[...]) == .infected(["Test.EICAR.UNOFFICIAL"]))
        let hex = "SECOND-MARKER".utf8.map { String(format: "%02x", $0) }.joined()
        try "Test.Second:0:*:\(hex)\n".write(toFile: fixture.directory + "/db/second.ndb", atomically: true, encoding: .utf8)
        let info = try fixture.backend.reload()
        #expect(info.description.contains("2 signatures"))
        #expect(fixture.backend.scan(Array("a SECOND-MARKER b".utf8)[...]) == .infected(["Test.Second.UNOFFICIAL"]))
    }

    @Test func verdictLinesRoundTripAndNothingElseParses() {
        let verdicts: [ScanVerdict] = [
            .clean, .infected(["A.B", "C\tD"]), .unscannable(UnscannableReason(.timeout, "took\ntoo long")),
        ]
        for verdict in verdicts {
            let parsed = ScanVerdict(workerLine: verdict.workerLine)
            #expect(parsed != nil)
            #expect(parsed?.workerLine == verdict.workerLine)
        }
        #expect(ScanVerdict(workerLine: "INFECTED") == nil)
        #expect(ScanVerdict(workerLine: "CLEAN\textra") == nil)
        #expect(ScanVerdict(workerLine: "OK") == nil)
        #expect(ScanRequest(line: "SCAN full") == .full)
        #expect(ScanRequest(line: "SCAN ../etc") == nil)
    }

    @Test func exitStatusesAreDescribedAsTheZygoteReportsThem() {
        #expect(ExitBook.describe(11) == "SIGNALED\t11")
        #expect(ExitBook.describe(3 << 8) == "EXITED\t3")
        let hung = IsolatedScanBackend.cause("SIGNALED\t9", hung: true, timeout: .seconds(5), error: WorkerError(.timeout, "t"))
        #expect(hung.0 == "timeout")
        #expect(IsolatedScanBackend.cause("SIGNALED\t31", hung: false, timeout: .seconds(5), error: WorkerError(.closed, "c")).0 == "seccomp")
        #expect(IsolatedScanBackend.cause("EXITED\t3", hung: false, timeout: .seconds(5), error: WorkerError(.closed, "c")).0 == "exit 3")
    }

    private func socketDetail(_ verdict: ScanVerdict) -> String {
        if case .unscannable(let reason) = verdict { return reason.detail }
        return "not unscannable: \(verdict)"
    }

    static func workerPIDs(of zygote: Int32) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == zygote
        }
    }
}
