import Foundation
import Sockets
import Synchronization

/// A minimal but real SMTP server on a TCP socket on 127.0.0.1 (not a mock of the client): it
/// speaks the protocol over the wire, so the release code's socket handling, multi-line reply
/// parsing, dot-stuffing and line ends are exercised for real, and it records what arrived.
final class TestSMTPServer: Sendable {
    /// One completed transaction (DATA ended with `.`).
    struct Transaction: Sendable {
        var helo: String
        /// The MAIL command's text after `MAIL FROM:`.
        var mailFrom: String
        /// Each RCPT command's text after `RCPT TO:`, in order.
        var rcptTo: [String]
        /// The bytes between DATA's 354 and the final `.` line, as sent on the wire.
        var wireData: [UInt8]
        /// Whether the server answered the end of data with 2xx.
        var accepted: Bool

        /// The message with dot-stuffing undone (RFC 5321 section 4.5.2).
        var message: [UInt8] {
            var output: [UInt8] = []
            var atLineStart = true
            for byte in wireData {
                if atLineStart && byte == UInt8(ascii: ".") {
                    atLineStart = false
                    continue
                }
                output.append(byte)
                atLineStart = byte == 10
            }
            return output
        }
    }

    /// How the server answers; a reply is the full text (`550 5.7.1 no`), CRLF added.
    struct Replies: Sendable {
        var extensions = ["SIZE 10240000", "8BITMIME", "DSN", "SMTPUTF8", "PIPELINING"]
        var mail = "250 2.1.0 Ok"
        var rcpt = "250 2.1.5 Ok"
        var endOfData = "250 2.0.0 Ok: queued as TEST1"
        /// Seconds to wait before answering the end of data (widens races in tests).
        var endOfDataDelay: Double = 0
    }

    let port: Int
    private let listener: Listener
    private let stopSignal: StopSignal
    private let replies: Replies
    private let recorded = Mutex<[Transaction]>([])
    private let connectionCount = Atomic<Int>(0)

    init(replies: Replies = Replies()) throws {
        self.replies = replies
        listener = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        port = listener.port
        stopSignal = try StopSignal()
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `127.0.0.1:PORT`.
    var relay: String { "127.0.0.1:\(port)" }

    /// Transactions received so far.
    var transactions: [Transaction] { recorded.withLock { $0 } }

    /// Transactions the server accepted.
    var delivered: [Transaction] { transactions.filter(\.accepted) }

    /// Connections accepted so far.
    var connections: Int { connectionCount.load(ordering: .acquiring) }

    /// Stops accepting (connections in progress finish on their own threads).
    func stop() {
        stopSignal.signal()
        listener.close()
    }

    private func acceptLoop() {
        try? AcceptLoop(listener: listener, stop: stopSignal).run(report: { _ in }) { client in
            connectionCount.add(1, ordering: .acquiringAndReleasing)
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Socket) {
        var reader = LineReader(socket: fd)
        var helo = ""
        var mailFrom = ""
        var rcptTo: [String] = []
        send(fd, "220 test.invalid ESMTP test server")
        while let line = reader.line() {
            let text = String(decoding: line, as: UTF8.self)
            let upper = text.uppercased()
            if upper.hasPrefix("EHLO ") {
                helo = String(text.dropFirst(5))
                let lines = ["test.invalid"] + replies.extensions
                for (index, item) in lines.enumerated() {
                    send(fd, "250" + (index == lines.count - 1 ? " " : "-") + item)
                }
            } else if upper.hasPrefix("HELO ") {
                helo = String(text.dropFirst(5))
                send(fd, "250 test.invalid")
            } else if upper.hasPrefix("MAIL FROM:") {
                mailFrom = String(text.dropFirst(10))
                rcptTo = []
                send(fd, replies.mail)
            } else if upper.hasPrefix("RCPT TO:") {
                rcptTo.append(String(text.dropFirst(8)))
                send(fd, replies.rcpt)
            } else if upper == "DATA" {
                send(fd, "354 End data with <CR><LF>.<CR><LF>")
                var data: [UInt8] = []
                while let dataLine = reader.line(keepingEnd: true) {
                    if dataLine == Array(".\r\n".utf8) { break }
                    data += dataLine
                }
                if replies.endOfDataDelay > 0 { usleep(UInt32(replies.endOfDataDelay * 1_000_000)) }
                let accepted = replies.endOfData.hasPrefix("2")
                recorded.withLock {
                    $0.append(Transaction(helo: helo, mailFrom: mailFrom, rcptTo: rcptTo, wireData: data, accepted: accepted))
                }
                send(fd, replies.endOfData)
            } else if upper == "RSET" || upper == "NOOP" {
                send(fd, "250 2.0.0 Ok")
            } else if upper == "QUIT" {
                send(fd, "221 2.0.0 Bye")
                return
            } else {
                send(fd, "500 5.5.2 unknown command")
            }
        }
    }

    private func send(_ socket: Socket, _ line: String) {
        try? socket.write(line + "\r\n", until: .now + .seconds(30))
    }

    /// Reads CRLF-terminated lines from a socket.
    private struct LineReader {
        let socket: Socket
        var buffer: [UInt8] = []

        mutating func line(keepingEnd: Bool = false) -> [UInt8]? {
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    let line = Array(buffer[0...newline])
                    buffer.removeFirst(newline + 1)
                    if keepingEnd { return line }
                    return Array(line.dropLast(line.count >= 2 && line[line.count - 2] == 13 ? 2 : 1))
                }
                guard let chunk = try? socket.read(upTo: 4096, until: .now + .seconds(60)), !chunk.isEmpty else { return nil }
                buffer += chunk
            }
        }
    }
}
