import Sockets

/// A connected, non-blocking stream socket whose every read and write waits with `poll` until a
/// deadline, so a stalled milter gives `.timeout` instead of a hung thread.
///
/// A plain value holding the socket: `MilterConnection` owns it under its lock and closes it.
struct SocketChannel: Sendable {
    let socket: Socket

    /// Connects to a milter socket within `timeout`.
    static func connect(to spec: MilterSocketSpec, timeout: Duration) throws -> SocketChannel {
        do throws(SocketError) {
            return SocketChannel(socket: try Socket.connect(to: spec.endpoint, until: .now + timeout))
        } catch {
            throw MilterClientError(error.code == .timedOut ? .timeout : .connectFailed, "\(error)", systemError: error.errno)
        }
    }

    /// Writes every byte, waiting for the socket to drain until the deadline.
    func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws {
        do throws(SocketError) {
            try socket.write(bytes, until: deadline)
        } catch {
            throw Self.failure(error, doing: "sending to the milter")
        }
    }

    /// Reads exactly `count` bytes. `context` names what is being read for the error messages.
    func receive(exactly count: Int, deadline: ContinuousClock.Instant, context: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(SocketError) in
                    try socket.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[received...]), until: deadline)
                }
            }
            let got: Int
            do throws(SocketError) {
                got = try result.get()
            } catch {
                throw Self.failure(error, doing: "reading \(context)")
            }
            guard got > 0 else {
                throw MilterClientError(
                    .peerClosed,
                    "the milter closed the connection after \(received) of the \(count) bytes of \(context)"
                )
            }
            received += got
        }
        return bytes
    }

    /// The client error for a socket failure while `doing` something.
    private static func failure(_ error: SocketError, doing what: String) -> MilterClientError {
        switch error.code {
        case .timedOut: MilterClientError(.timeout, "timed out \(what)")
        case .peerClosed: MilterClientError(.peerClosed, "the milter closed the connection while \(what)", systemError: error.errno)
        default: MilterClientError(.ioFailed, "\(what) failed: \(error)", systemError: error.errno)
        }
    }

    /// Reads one packet: the 4-byte length (refused above `maximumSize`), then command and payload.
    func receivePacket(maximumSize: Int, deadline: ContinuousClock.Instant) throws -> MilterPacket {
        let header = try receive(exactly: 4, deadline: deadline, context: "a packet length")
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0 else {
            throw MilterClientError(.truncatedPacket, "the milter sent a packet of length 0 (no command byte)")
        }
        guard length <= maximumSize else {
            throw MilterClientError(
                .oversizedPacket,
                "the milter announced a packet of \(length) bytes; the limit is \(maximumSize)"
            )
        }
        let body = try receive(exactly: length, deadline: deadline, context: "a \(length)-byte packet")
        return MilterPacket(command: body[0], payload: Array(body.dropFirst()))
    }

    /// Closes the socket.
    func close() {
        socket.close()
    }
}
