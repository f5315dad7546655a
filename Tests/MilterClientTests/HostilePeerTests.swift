import Glibc
import MilterClient
import Testing

/// The peer in these tests is a scripted fake that misbehaves on purpose (see `FakeMilter`):
/// real libmilter never does, so only a scripted peer can prove the client survives it.
@Suite("Hostile milter peers")
struct HostilePeerTests {
    /// Generous enough that a loaded CI machine never turns an expected error into a timeout.
    private static let quick: MilterConnection.Options = {
        var options = MilterConnection.Options()
        options.commandTimeout = .seconds(3)
        options.endOfMessageTimeout = .seconds(3)
        options.maximumPacketSize = 1 << 20
        return options
    }()

    /// For the tests that wait out the timeout on purpose.
    private static let impatient: MilterConnection.Options = {
        var options = quick
        options.commandTimeout = .milliseconds(300)
        return options
    }()

    /// Negotiates with a fake milter, sends connect, and returns the error the connect step throws.
    private func errorAtConnect(
        options: MilterConnection.Options = quick, _ misbehave: @escaping @Sendable (FakePeer) -> Void
    ) throws -> MilterClientError? {
        let fake = try FakeMilter { peer in
            peer.negotiate()
            _ = peer.readPacket()
            misbehave(peer)
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: options)
        do {
            _ = try connection.connect(hostname: "client.example", address: .inet(address: "192.0.2.1", port: 1234))
            return nil
        } catch let error as MilterClientError {
            #expect(!connection.isOpen, "a protocol error closes the connection")
            return error
        }
    }

    @Test func unknownResponseLetterIsAClearError() throws {
        let error = try errorAtConnect { $0.send("Z") }
        #expect(error?.code == .unknownResponse)
    }

    @Test func oversizedLengthIsRefusedWithoutReadingIt() throws {
        let error = try errorAtConnect { $0.write([0x7F, 0xFF, 0xFF, 0xFF, UInt8(ascii: "c")]) }
        #expect(error?.code == .oversizedPacket)
        #expect(error?.message.contains("2147483647") == true)
    }

    @Test func textGarbageInsteadOfPacketsIsRefused() throws {
        // "HTTP" read as a length is about 1.2 GB: refused before any allocation of that size.
        let error = try errorAtConnect { $0.write(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)) }
        #expect(error?.code == .oversizedPacket)
    }

    @Test func zeroLengthPacketIsTruncated() throws {
        let error = try errorAtConnect { $0.write([0, 0, 0, 0]) }
        #expect(error?.code == .truncatedPacket)
    }

    @Test func closingInTheMiddleOfAPacketIsPeerClosed() throws {
        let error = try errorAtConnect { peer in
            peer.write([0, 0, 0, 10, UInt8(ascii: "y"), 0x35, 0x35])
            peer.close()
        }
        #expect(error?.code == .peerClosed)
        #expect(error?.message.contains("after 3 of the 10 bytes") == true)
    }

    @Test func closingBeforeAnsweringIsPeerClosed() throws {
        let error = try errorAtConnect { $0.close() }
        #expect(error?.code == .peerClosed)
    }

    @Test func stallingPastTheTimeoutIsATimeout() throws {
        let clock = ContinuousClock()
        var error: MilterClientError?
        let elapsed = try clock.measure {
            // The fake waits for the client to give up and close (end of stream), never answering.
            error = try errorAtConnect(options: Self.impatient) { _ = $0.drain() }
        }
        #expect(error?.code == .timeout)
        #expect(elapsed < .seconds(5))
    }

    @Test func stallingInTheMiddleOfAPacketIsATimeout() throws {
        let error = try errorAtConnect(options: Self.impatient) { peer in
            peer.write([0, 0, 0, 20, UInt8(ascii: "y")])
            _ = peer.drain()
        }
        #expect(error?.code == .timeout)
    }

    @Test func modificationOutsideEndOfMessageIsUnexpected() throws {
        let error = try errorAtConnect { $0.send("h", cString("X-Early") + cString("1")) }
        #expect(error?.code == .unexpectedResponse)
    }

    @Test func skipOutsideTheBodyIsUnexpected() throws {
        let error = try errorAtConnect { $0.send("s") }
        #expect(error?.code == .unexpectedResponse)
    }

    @Test func truncatedModificationAtEndOfMessageIsAClearError() throws {
        let fake = try FakeMilter { peer in
            peer.negotiate()
            _ = peer.readPacket()
            peer.send("i", [0, 1])
            _ = peer.drain()
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        #expect(throws: MilterClientError.self) { _ = try connection.endOfMessage() }
        #expect(!connection.isOpen)
    }

    @Test func endlessEndOfMessageAnswerIsCutAtTheLimit() throws {
        let fake = try FakeMilter { peer in
            peer.negotiate()
            _ = peer.readPacket()
            let chunk = [UInt8](repeating: 0x61, count: 60_000)
            for _ in 0..<40 {
                peer.send("b", chunk)
            }
            peer.send("c")
            _ = peer.drain()
        }
        defer { fake.finish() }
        var options = Self.quick
        options.maximumEndOfMessageBytes = 1 << 20
        let connection = try MilterConnection.open(fake.spec, options: options)
        do {
            _ = try connection.endOfMessage()
            Issue.record("accepted more than the limit")
        } catch let error as MilterClientError {
            #expect(error.code == .oversizedPacket)
        }
        #expect(!connection.isOpen)
    }

    @Test func negotiationAskingForUnofferedStepsFails() throws {
        let fake = try FakeMilter { peer in
            peer.negotiate(steps: 0x8000_0000)
            _ = peer.drain()
        }
        defer { fake.finish() }
        var options = Self.quick
        options.offer.steps = .all
        let connection = try MilterConnection(connectingTo: fake.spec, options: options)
        do {
            _ = try connection.negotiate()
            Issue.record("accepted an impossible negotiation")
        } catch let error as MilterClientError {
            #expect(error.code == .negotiationFailed)
        }
    }

    @Test func negotiationAnsweredWithAnotherPacketFails() throws {
        let fake = try FakeMilter { peer in
            _ = peer.readPacket()
            peer.send("c")
            _ = peer.drain()
        }
        defer { fake.finish() }
        let connection = try MilterConnection(connectingTo: fake.spec, options: Self.quick)
        #expect(throws: MilterClientError.self) { _ = try connection.negotiate() }
    }

    @Test func callsAfterAnErrorSayTheConnectionIsClosed() throws {
        let fake = try FakeMilter { peer in
            peer.negotiate()
            _ = peer.readPacket()
            peer.send("Z")
        }
        defer { fake.finish() }
        let connection = try MilterConnection.open(fake.spec, options: Self.quick)
        _ = try? connection.helo("mx")
        do {
            _ = try connection.helo("mx")
            Issue.record("a closed connection still sent")
        } catch let error as MilterClientError {
            #expect(error.code == .notReady)
        }
    }

    @Test func stepsBeforeNegotiationAreRefused() throws {
        let fake = try FakeMilter { _ = $0.drain() }
        defer { fake.finish() }
        let connection = try MilterConnection(connectingTo: fake.spec, options: Self.quick)
        do {
            _ = try connection.helo("mx")
            Issue.record("sent before negotiation")
        } catch let error as MilterClientError {
            #expect(error.code == .notReady)
            #expect(connection.isOpen, "a refused call does not close the connection")
        }
        connection.close()
    }
}
