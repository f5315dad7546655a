import Foundation
import Glibc
import Logging
import Scanning
import Sockets
import Synchronization
import Testing

/// The clamd client and pool against real clamd processes started by the tests themselves.
/// Serialized: each test starts its own clamd processes, and two cores are shared.
@Suite(.serialized) struct ClamdBackendTests {
    static let logger = Logger(label: "scanmilter.tests.clamd")
    static let cleanText = Array("Just an ordinary message body.\n".utf8)
    static let markerText = Array("prefix ".utf8) + TestDatabase.marker + Array(" suffix\n".utf8)

    static func backend(_ servers: [ClamdEndpoint], readTimeout: Duration = .seconds(10), retryInterval: Duration = .milliseconds(100)) throws -> ClamdBackend {
        try ClamdBackend(
            configuration: .init(servers: servers, connectTimeout: .milliseconds(500), readTimeout: readTimeout, retryInterval: retryInterval),
            logger: logger)
    }

    @Test func clamdStartsWithTheGeneratedDatabaseAndAnswersPingAndVersion() throws {
        let server = try ClamdTestServer(transport: .unix)
        let client = ClamdClient(endpoint: server.endpoint)
        try client.ping()
        #expect(try client.version().hasPrefix("ClamAV "))
    }

    @Test(arguments: [ClamdTestServer.Transport.unix, .tcp])
    func eicarIsFoundByNameAndCleanContentIsClean(_ transport: ClamdTestServer.Transport) throws {
        let server = try ClamdTestServer(transport: transport)
        let client = ClamdClient(endpoint: server.endpoint, chunkSize: 16)  // many chunks
        guard case .infected(let names) = try client.scan(TestDatabase.eicar[...]) else {
            Issue.record("EICAR not found")
            return
        }
        #expect(names.count == 1 && names[0].hasPrefix("Scanmilter.Test.EICAR."), "\(names)")
        #expect(try client.scan(Self.markerText[...]) == .infected(["\(TestDatabase.markerSignature).UNOFFICIAL"]))
        #expect(try client.scan(Self.cleanText[...]) == .clean)
        #expect(try client.scan([UInt8]()[...]) == .clean)
    }

    @Test(arguments: [ClamdTestServer.Transport.unix, .tcp])
    func aStreamPastStreamMaxLengthIsUnscannableNotClean(_ transport: ClamdTestServer.Transport) throws {
        let server = try ClamdTestServer(transport: transport, streamMaxLength: "1M")
        let backend = try Self.backend([server.endpoint])
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 3 * 1024 * 1024)
        guard case .unscannable(let reason) = backend.scan(big[...]) else {
            Issue.record("a 3 MiB stream past a 1 MiB limit was not unscannable")
            return
        }
        #expect(reason.code == .limitExceeded, "\(reason)")
        // The server is fine: a limit is about the content, so it stays in rotation.
        #expect(backend.serverStatus[0].isUp)
        #expect(backend.scan(Self.cleanText[...]) == .clean)
    }

    @Test func aFileIsStreamedFromItsStartWithoutMovingTheCallersOffset() throws {
        let server = try ClamdTestServer(transport: .unix)
        let backend = try Self.backend([server.endpoint])
        let file = server.directory.appendingPathComponent("sample.eml")
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000) + TestDatabase.marker + Array("\n".utf8)
        try Data(body).write(to: file)
        let fd = open(file.path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        lseek(fd, 1000, SEEK_SET)
        #expect(backend.scan(fileDescriptor: fd) == .infected(["\(TestDatabase.markerSignature).UNOFFICIAL"]))
        #expect(lseek(fd, 0, SEEK_CUR) == 1000)
        // An unreadable descriptor is our failure, not the server's: unscannable, server stays up.
        guard case .unscannable(let reason) = backend.scan(fileDescriptor: -1) else {
            Issue.record("a bad descriptor was scanned")
            return
        }
        #expect(reason.code == .engineError && reason.detail.contains("pread"))
        #expect(backend.serverStatus[0].isUp && backend.serverStatus[0].inFlight == 0)
    }

    @Test func scansAreSpreadOverTwoServers() throws {
        let first = try ClamdTestServer(transport: .unix)
        let second = try ClamdTestServer(transport: .tcp)
        let backend = try Self.backend([first.endpoint, second.endpoint])
        for _ in 0..<20 { #expect(backend.scan(Self.cleanText[...]) == .clean) }
        let status = backend.serverStatus
        #expect(status.map(\.scans) == [10, 10])
        #expect(status.allSatisfy { $0.isUp && $0.inFlight == 0 })
        #expect(backend.checkServers().allSatisfy { $0.isUp })
        #expect(backend.databaseDescription.hasPrefix("ClamAV "))
    }

    @Test func aServerKilledMidRunIsBypassedAndComesBackWhenRestarted() throws {
        let first = try ClamdTestServer(transport: .unix)
        let second = try ClamdTestServer(transport: .tcp)
        let backend = try Self.backend([first.endpoint, second.endpoint])
        let firstPID = try #require(first.processIdentifier)
        let wrong = Mutex<[String]>([])
        let completed = Atomic<Int>(0)
        let threads = 4, perThread = 150
        // Scans run continuously from four threads; one server dies partway through.
        TestThreads.run(threads + 1) { worker in
            if worker == threads {
                while completed.load(ordering: .relaxed) < threads * perThread / 4 { usleep(1000) }
                Glibc.kill(firstPID, SIGKILL)
                return
            }
            for round in 0..<perThread {
                let infected = round % 3 == 0
                let verdict = backend.scan((infected ? Self.markerText : Self.cleanText)[...])
                let expected: ScanVerdict = infected ? .infected(["\(TestDatabase.markerSignature).UNOFFICIAL"]) : .clean
                if verdict != expected { wrong.withLock { $0.append("\(verdict)") } }
                completed.add(1, ordering: .relaxed)
            }
        }
        first.kill()  // reaps it
        #expect(wrong.withLock { $0 } == [])
        var status = backend.serverStatus
        #expect(!status[0].isUp && status[0].failures >= 1)
        #expect(status[1].isUp && status[1].scans > status[0].scans)

        // Restarted, it answers the next probe and takes scans again.
        let startup = try first.start()
        #expect(startup < .seconds(5))
        let scansBefore = status[0].scans
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && backend.serverStatus[0].scans <= scansBefore + 2 {
            #expect(backend.scan(Self.cleanText[...]) == .clean)
            usleep(20_000)
        }
        status = backend.serverStatus
        #expect(status[0].isUp)
        #expect(status[0].scans > scansBefore + 2)
    }

    @Test func everyServerDownIsUnscannableBackendUnavailable() throws {
        let dir = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let refusedPort = try ClamdTestServer.freePort()
        let backend = try Self.backend([.unix(path: dir.appendingPathComponent("none.sock").path), .tcp(host: "127.0.0.1", port: refusedPort)])
        guard case .unscannable(let reason) = backend.scan(Self.cleanText[...]) else {
            Issue.record("scan with no server succeeded")
            return
        }
        #expect(reason.code == .backendUnavailable)
        #expect(reason.detail.contains("none.sock") && reason.detail.contains("\(refusedPort)"))
        #expect(backend.serverStatus.allSatisfy { !$0.isUp })
        // Now none is up, and no probe is due yet: the next scan fails fast without connecting.
        let backendWithLongRetry = try Self.backend([.unix(path: dir.appendingPathComponent("none.sock").path)], retryInterval: .seconds(60))
        _ = backendWithLongRetry.scan(Self.cleanText[...])
        if case .unscannable(let again) = backendWithLongRetry.scan(Self.cleanText[...]) {
            #expect(again.code == .backendUnavailable && again.detail.contains("down"))
        } else {
            Issue.record("a pool with every server down scanned")
        }
    }

    @Test func aServerThatAcceptsButNeverAnswersTimesOutAndTheScanMovesOn() throws {
        // A listening socket that nobody reads: connect succeeds, the reply never comes.
        let dir = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let silentPath = dir.appendingPathComponent("silent.sock").path
        let listener = try Listener(.unix(path: silentPath))  // listens, never accepts or reads
        defer { listener.close() }
        let server = try ClamdTestServer(transport: .unix)
        let backend = try Self.backend([.unix(path: silentPath), server.endpoint], readTimeout: .seconds(1), retryInterval: .seconds(60))
        let clock = ContinuousClock()
        let started = clock.now
        #expect(backend.scan(Self.markerText[...]) == .infected(["\(TestDatabase.markerSignature).UNOFFICIAL"]))
        #expect(clock.now - started < .seconds(5))
        let status = backend.serverStatus
        #expect(!status[0].isUp && status[0].lastError?.contains("timeout") == true)
        #expect(status[1].scans == 1)
    }

    @Test(arguments: ["unix:/run/clamav/clamd.ctl", "/tmp/c.sock", "127.0.0.1:3310", "tcp:scan.example:3310", "[::1]:3310"])
    func endpointsParseFromConfigurationText(_ text: String) throws {
        let endpoint = try #require(ClamdEndpoint(text))
        #expect(ClamdEndpoint(endpoint.description) == endpoint)
    }

    @Test(arguments: ["", "unix:", "localhost", "host:0", "host:99999", ":3310"])
    func malformedEndpointsAreRejected(_ text: String) {
        #expect(ClamdEndpoint(text) == nil)
    }

    @Test func anEmptyPoolIsAConfigurationError() {
        #expect(throws: ClamdBackend.ConfigurationError.self) { try ClamdBackend(configuration: .init(servers: []), logger: Self.logger) }
    }
}
