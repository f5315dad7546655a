import MilterProtocol
import Sockets

/// Why talking to the relay failed: where it failed, and the reply when there was one.
struct SMTPFailure: Error, CustomStringConvertible {
    /// The step (`connect`, `MAIL FROM:<a@b>`, `end of data`).
    var stage: String
    /// The relay's reply, when it answered.
    var reply: SMTPReply?
    /// What went wrong when there is no reply (a timeout, a refused connection).
    var detail: String

    var description: String {
        if let reply { return "relay refused \(stage): \(reply)" }
        return "\(stage): \(detail)"
    }
}

/// One TCP connection to an SMTP server, with a timeout on every read and write; it reads
/// replies line by line and refuses an endless or oversized reply from a hostile peer.
final class SMTPConnection {
    private let socket: Socket
    private let timeout: Duration
    private var buffer: [UInt8] = []

    /// Longest reply line accepted (RFC 5321 section 4.5.3.1.5 says 512; servers exceed it).
    private static let maximumLineLength = 8192
    /// Most lines in one reply (an EHLO reply lists the extensions).
    private static let maximumLines = 200

    /// Connects to `address`, waiting at most `timeout` seconds; every later read and write
    /// gets the same time.
    init(to address: RelayAddress, timeout: Double) throws(SMTPFailure) {
        self.timeout = .milliseconds(Int64(timeout * 1000))
        do throws(SocketError) {
            socket = try Socket.connect(to: address.endpoint, until: .now + self.timeout)
        } catch {
            let detail = error.code == .timedOut ? "timed out after \(timeout) s" : error.errno == nil ? "\(error)" : error.reason
            throw SMTPFailure(stage: "connect to \(address)", detail: detail)
        }
    }

    /// Sends `bytes` whole.
    func send(_ bytes: [UInt8], stage: String) throws(SMTPFailure) {
        do throws(SocketError) {
            try socket.write(bytes, until: .now + timeout)
        } catch {
            throw SMTPFailure(stage: stage, detail: error.code == .timedOut ? "timed out sending" : error.reason)
        }
    }

    /// Sends one command line (CRLF added) and reads the reply.
    func command(_ line: String) throws(SMTPFailure) -> SMTPReply {
        try send(Array(line.utf8) + [13, 10], stage: line)
        return try readReply(stage: line)
    }

    /// Reads one reply, all its lines (`250-...` continues, `250 ...` ends).
    func readReply(stage: String) throws(SMTPFailure) -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try readLine(stage: stage)
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))), (200...599).contains(code) else {
                throw SMTPFailure(stage: stage, detail: "malformed reply line '\(line.prefix(80))'")
            }
            let last = bytes.count == 3 || bytes[3] == UInt8(ascii: " ")
            guard last || bytes[3] == UInt8(ascii: "-") else {
                throw SMTPFailure(stage: stage, detail: "malformed reply line '\(line.prefix(80))'")
            }
            lines.append(line)
            if last {
                do {
                    return try SMTPReply(replyLines: lines)
                } catch {
                    throw SMTPFailure(stage: stage, detail: "malformed reply: \(error.reason)")
                }
            }
            guard lines.count < Self.maximumLines else { throw SMTPFailure(stage: stage, detail: "reply longer than \(Self.maximumLines) lines") }
        }
    }

    private func readLine(stage: String) throws(SMTPFailure) -> String {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                var end = newline
                if end > 0 && buffer[end - 1] == 13 { end -= 1 }
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            guard buffer.count <= Self.maximumLineLength else { throw SMTPFailure(stage: stage, detail: "reply line longer than \(Self.maximumLineLength) bytes") }
            let chunk: [UInt8]
            do throws(SocketError) {
                chunk = try socket.read(upTo: 4096, until: .now + timeout)
            } catch {
                throw SMTPFailure(stage: stage, detail: error.code == .timedOut ? "timed out waiting for the relay's reply" : error.reason)
            }
            guard !chunk.isEmpty else { throw SMTPFailure(stage: stage, detail: "the relay closed the connection") }
            buffer += chunk
        }
    }
}
