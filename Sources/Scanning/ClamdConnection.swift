import Sockets

/// One connection to a clamd server: a non-blocking socket whose every wait is bounded by a
/// deadline, closed when the connection goes away.
final class ClamdConnection {
    private let socket: Socket
    let endpoint: ClamdEndpoint

    /// Connects to `endpoint`, giving up at `deadline`.
    init(to endpoint: ClamdEndpoint, deadline: ContinuousClock.Instant) throws(ClamdError) {
        self.endpoint = endpoint
        do throws(SocketError) {
            socket = try Socket.connect(to: endpoint.endpoint, until: deadline)
        } catch {
            throw ClamdError(error.code == .timedOut ? .timeout : .connect, endpoint: endpoint.description, message: "\(error)")
        }
    }

    // MARK: - sending and receiving

    /// What `send` saw when it stopped early.
    enum SendOutcome {
        /// Every byte was sent.
        case sent
        /// The server answered (or closed) before taking everything: read its reply now.
        /// clamd does this when a stream passes its StreamMaxLength.
        case interrupted
    }

    /// Sends every byte of `bytes` unless the server answers first; each stall is bounded by `deadline`.
    func send(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(ClamdError) -> SendOutcome {
        var offset = 0
        do throws(SocketError) {
            while offset < bytes.count {
                let ready = try socket.wait(for: [.writable, .readable], until: deadline)
                if !ready.isDisjoint(with: [.readable, .hangUp, .error]) { return .interrupted }
                offset += try socket.writeSome(UnsafeRawBufferPointer(rebasing: bytes[offset...]), until: deadline)
            }
        } catch where error.code == .peerClosed {
            // A reset or broken pipe means the server stopped reading; its reply may be waiting.
            return .interrupted
        } catch {
            throw failure(error, "send")
        }
        return .sent
    }

    /// Sends a whole byte array (commands and chunk headers).
    func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(ClamdError) -> SendOutcome {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ClamdError) in try send(buffer, deadline: deadline) }
        }.get()
    }

    /// Reads one reply: up to its NUL terminator (the `z` command form) or the end of the stream.
    func readReply(deadline: ContinuousClock.Instant, limit: Int = 64 * 1024) throws(ClamdError) -> String {
        var reply: [UInt8] = []
        while true {
            let chunk: [UInt8]
            do throws(SocketError) {
                chunk = try socket.read(upTo: 4096, until: deadline)
            } catch where error.code == .peerClosed && !reply.isEmpty {
                // The reply can arrive just before a reset; keep what came.
                break
            } catch {
                throw failure(error, "reply")
            }
            if chunk.isEmpty { break }
            if let nul = chunk.firstIndex(of: 0) {
                reply += chunk[..<nul]
                break
            }
            reply += chunk
            guard reply.count <= limit else {
                throw ClamdError(.protocolViolation, endpoint: endpoint.description, message: "reply longer than \(limit) bytes")
            }
        }
        guard !reply.isEmpty else {
            throw ClamdError(.io, endpoint: endpoint.description, message: "connection closed without a reply")
        }
        var text = String(decoding: reply, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }

    private func failure(_ error: SocketError, _ what: String) -> ClamdError {
        if error.code == .timedOut {
            return ClamdError(.timeout, endpoint: endpoint.description, message: "no progress on \(what) in time")
        }
        return ClamdError(.io, endpoint: endpoint.description, message: "\(what): \(error)")
    }
}
