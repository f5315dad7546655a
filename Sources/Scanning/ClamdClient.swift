import Glibc

/// A client for one clamd server: PING, VERSION, RELOAD and INSTREAM scans over a fresh connection each.
///
/// Protocol (clamd(8)): commands are sent as `z<COMMAND>\0` and answered with a NUL-terminated
/// reply. `zINSTREAM\0` is followed by chunks, each a 4-byte big-endian length and that many
/// bytes, and a zero length to end the stream; clamd then scans and replies once.
public struct ClamdClient: Sendable {
    /// The server this client talks to.
    public var endpoint: ClamdEndpoint
    /// The longest wait for a connection to be accepted.
    public var connectTimeout: Duration
    /// The longest wait for the reply once the stream is sent (covers clamd's scan time) and
    /// for any single stall while sending.
    public var readTimeout: Duration
    /// Bytes per INSTREAM chunk.
    public var chunkSize: Int

    /// A client for `endpoint`; nothing is connected until a command is sent.
    public init(endpoint: ClamdEndpoint, connectTimeout: Duration = .seconds(2), readTimeout: Duration = .seconds(120), chunkSize: Int = 64 * 1024) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.chunkSize = max(1, chunkSize)
    }

    /// Sends PING and expects PONG.
    public func ping() throws(ClamdError) {
        let reply = try command("PING")
        guard reply == "PONG" else {
            throw ClamdError(.protocolViolation, endpoint: endpoint.description, message: "PING answered \"\(reply.prefix(200))\"")
        }
    }

    /// Sends VERSION and returns clamd's answer, e.g. `ClamAV 1.4.6/27450/Tue Nov 24 09:12:00 2026`.
    public func version() throws(ClamdError) -> String {
        try command("VERSION")
    }

    /// Sends RELOAD and expects RELOADING: clamd then loads its database again, in the background
    /// while it keeps scanning with the old one (ConcurrentDatabaseReload, the default) or
    /// answering nothing until it is done (clamd.conf(5)).
    public func reload() throws(ClamdError) {
        let reply = try command("RELOAD")
        guard reply == "RELOADING" else {
            throw ClamdError(.protocolViolation, endpoint: endpoint.description, message: "RELOAD answered \"\(reply.prefix(200))\"")
        }
    }

    /// Scans bytes held in memory with INSTREAM.
    public func scan(_ bytes: ArraySlice<UInt8>) throws(ClamdError) -> ScanVerdict {
        var offset = bytes.startIndex
        return try instream { frame throws(ClamdError) in
            let count = min(chunkSize, bytes.endIndex - offset)
            frame.replaceSubrange(4..., with: bytes[offset..<(offset + count)])
            offset += count
            return count
        }
    }

    /// Streams an open file from its start to its end with INSTREAM (pread: the caller's file
    /// offset is left alone, and a retry on another server can read it again).
    public func scan(fileDescriptor: Int32) throws(ClamdError) -> ScanVerdict {
        var offset: off_t = 0
        return try instream { frame throws(ClamdError) in
            frame.removeSubrange(4...)
            frame.append(contentsOf: repeatElement(0, count: chunkSize))
            while true {
                let count = frame.withUnsafeMutableBytes { buffer in
                    buffer.baseAddress.map { pread(fileDescriptor, $0 + 4, chunkSize, offset) } ?? -1
                }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else {
                    throw ClamdError(.fileRead, endpoint: endpoint.description, message: "pread: \(String(cString: strerror(errno)))")
                }
                frame.removeSubrange((4 + count)...)
                offset += off_t(count)
                return count
            }
        }
    }

    // MARK: - the exchange

    /// Sends a command and reads its one reply.
    private func command(_ name: String) throws(ClamdError) -> String {
        let connection = try ClamdConnection(to: endpoint, deadline: .now + connectTimeout)
        let deadline = ContinuousClock.now + readTimeout
        _ = try connection.send(Array("z\(name)\0".utf8), deadline: deadline)
        return try connection.readReply(deadline: deadline)
    }

    /// Runs one INSTREAM exchange. `fill` writes the next chunk into a frame after its 4-byte
    /// header slot and returns the chunk's length; 0 ends the stream.
    private func instream(_ fill: (inout [UInt8]) throws(ClamdError) -> Int) throws(ClamdError) -> ScanVerdict {
        let connection = try ClamdConnection(to: endpoint, deadline: .now + connectTimeout)
        var stalled = ContinuousClock.now + readTimeout
        var sentEverything = false
        if try connection.send(Array("zINSTREAM\0".utf8), deadline: stalled) == .sent {
            // One buffer holds header and chunk, so each chunk is a single write.
            var frame = [UInt8](repeating: 0, count: 4)
            frame.reserveCapacity(4 + chunkSize)
            while true {
                let count = try fill(&frame)
                let length = UInt32(count).bigEndian
                withUnsafeBytes(of: length) { frame.replaceSubrange(0..<4, with: $0) }
                stalled = ContinuousClock.now + readTimeout
                if try connection.send(count == 0 ? Array(frame[0..<4]) : frame, deadline: stalled) == .interrupted { break }
                if count == 0 {
                    sentEverything = true
                    break
                }
            }
        }
        let reply: String
        do {
            reply = try connection.readReply(deadline: ContinuousClock.now + readTimeout)
        } catch where !sentEverything && error.code == .io {
            // clamd hung up while we were still sending and left no reply to read.
            throw ClamdError(.io, endpoint: endpoint.description, message: "connection closed during INSTREAM: \(error.message)")
        }
        return try ClamdReply.verdict(reply, endpoint: endpoint.description)
    }
}
