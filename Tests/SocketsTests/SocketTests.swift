import Foundation
import Sockets
import Testing

@Suite("Sockets with deadlines")
struct SocketTests {
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "/sockets-\(UUID().uuidString.prefix(8))-\(name)"
    }

    @Test func bytesRoundTripOverUnixAndTCPListeners() throws {
        for endpoint in [Endpoint.unix(path: Self.temporaryPath("echo.sock")), .tcp(host: "127.0.0.1", port: 0, family: .ipv4)] {
            let listener = try Listener(endpoint)
            defer { listener.close() }
            let target: Endpoint = listener.port > 0 ? .tcp(host: "127.0.0.1", port: UInt16(listener.port), family: .ipv4) : endpoint
            let deadline = ContinuousClock.now + .seconds(10)
            let client = try Socket.connect(to: target, until: deadline)
            let stop = try StopSignal()
            let served = Thread {
                try? AcceptLoop(listener: listener, stop: stop).run(report: { _ in }) { peer in
                    if let bytes = try? peer.read(upTo: 64, until: deadline) { try? peer.write(bytes.reversed(), until: deadline) }
                    stop.signal()
                }
            }
            served.start()
            try client.write("hello", until: deadline)
            #expect(try client.read(upTo: 64, until: deadline) == Array("olleh".utf8))
        }
    }

    @Test func aSilentPeerTimesOutAtTheDeadline() throws {
        let listener = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        defer { listener.close() }
        let client = try Socket.connect(
            to: .tcp(host: "127.0.0.1", port: UInt16(listener.port), family: .ipv4), until: .now + .seconds(10))
        let started = ContinuousClock.now
        #expect {
            _ = try client.read(upTo: 1, until: .now + .milliseconds(200))
        } throws: { error in
            (error as? SocketError)?.code == .timedOut
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aRefusedConnectionNamesTheCallAndErrno() throws {
        let path = Self.temporaryPath("nobody.sock")
        #expect {
            _ = try Socket.connect(to: .unix(path: path), until: .now + .seconds(5))
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.call == "connect" && error.errno == ENOENT && "\(error)".contains(path)
        }
    }

    @Test func stopEndsAnAcceptLoopAtOnce() throws {
        let listener = try Listener(.unix(path: Self.temporaryPath("idle.sock")))
        defer { listener.close() }
        let stop = try StopSignal()
        let finished = try StopSignal()
        Thread {
            try? AcceptLoop(listener: listener, stop: stop).run(report: { _ in }) { _ in }
            finished.signal()
        }.start()
        #expect(!finished.wait(for: .milliseconds(50)))
        stop.signal()
        #expect(finished.wait(for: .seconds(10)))
    }

    @Test func aStaleSocketFileIsReplacedButNoOtherFile() throws {
        let path = Self.temporaryPath("stale.sock")
        let first = try Listener(.unix(path: path))
        first.socket.close()  // gone without removing its file, as after a crash
        let second = try Listener(.unix(path: path), mode: 0o660)
        #expect(second.port == 0)
        second.close()
        #expect(!FileManager.default.fileExists(atPath: path))

        try "keep me".write(toFile: path, atomically: false, encoding: .utf8)
        defer { unlink(path) }
        #expect {
            _ = try Listener(.unix(path: path))
        } throws: { error in
            (error as? SocketError)?.errno == EADDRINUSE
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }
}

@Suite("Unix datagram sockets")
struct DatagramSocketTests {
    @Test(arguments: ["path", "abstract"])
    func oneWriteArrivesAsOneDatagramAtAPathOrAnAbstractName(_ kind: String) throws {
        let name = kind == "abstract" ? "@scanmilter-test-\(UUID().uuidString)" : SocketTests.temporaryPath("notify.sock")
        let receiver = try Socket.datagram(boundTo: name)
        defer {
            receiver.close()
            if kind == "path" { unlink(name) }
        }
        let sender = try Socket.datagram(connectedTo: name)
        let deadline = ContinuousClock.now + .seconds(5)
        try sender.write("READY=1\nSTATUS=one", until: deadline)
        try sender.write("WATCHDOG=1", until: deadline)
        #expect(try receiver.read(upTo: 4096, until: deadline) == Array("READY=1\nSTATUS=one".utf8))
        #expect(try receiver.read(upTo: 4096, until: deadline) == Array("WATCHDOG=1".utf8))
    }

    @Test func connectingToANameNobodyHoldsFailsNamingIt() {
        #expect {
            _ = try Socket.datagram(connectedTo: "@scanmilter-nobody-\(UUID().uuidString)")
        } throws: { error in
            (error as? SocketError)?.errno == ECONNREFUSED && "\(error)".contains("@scanmilter-nobody-")
        }
    }
}
