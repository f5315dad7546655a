import Foundation
import MilterClient
import Synchronization

/// N worker threads, each with its own milter connection, sending corpus messages the way
/// Postfix does until the message count or the duration is reached.
final class LoadRun: Sendable {
    struct Plan: Sendable {
        var spec: MilterSocketSpec
        var connections: Int
        var messageLimit: Int?
        var duration: Duration?
        /// Messages sent on one milter connection before it is closed and a new one opened
        /// (Postfix: one connection per SMTP session).
        var messagesPerConnection: Int
        var options: MilterConnection.Options
    }

    private let plan: Plan
    private let corpus: [CorpusMessage]
    private let next = Atomic<Int>(0)
    private let tally = Mutex(Tally())
    private let firstNegotiation = Mutex<MilterNegotiation?>(nil)

    init(plan: Plan, corpus: [CorpusMessage]) {
        self.plan = plan
        self.corpus = corpus
    }

    /// What the milter answered at negotiation on the first connection (nil if none opened).
    var negotiation: MilterNegotiation? { firstNegotiation.withLock { $0 } }

    /// Runs the load to its end and returns the merged tally and the wall time it took.
    func run() -> (Tally, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = plan.duration.map { start + $0 }
        let group = DispatchGroup()
        for worker in 0..<plan.connections {
            group.enter()
            let thread = Thread { [self] in
                work(worker: worker, deadline: deadline)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return (tally.withLock { $0 }, clock.now - start)
    }

    private func work(worker: Int, deadline: ContinuousClock.Instant?) {
        var local = Tally()
        var connection: MilterConnection?
        var sentOnConnection = 0
        let clock = ContinuousClock()
        while true {
            if let deadline, clock.now >= deadline { break }
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if let limit = plan.messageLimit, index >= limit { break }
            let message = corpus[index % corpus.count]
            let started = clock.now
            do {
                let open: MilterConnection
                if let connection {
                    open = connection
                } else {
                    open = try openConnection(worker: worker)
                    connection = open
                    sentOnConnection = 0
                }
                let keepSpace = open.negotiated?.steps.contains(.headerLeadingSpace) ?? false
                let envelope = Self.envelope(queueID: String(format: "%010X", index))
                var sent = message.message(keepLeadingSpace: keepSpace)
                // Every send is a distinct message, as on a real server: a whole-message scan
                // (clamd INSTREAM) cannot answer a repeat from libclamav's clean-file cache.
                sent.headers.insert(.init(name: "X-Load-Id", value: Array("\(keepSpace ? " " : "")\(index)".utf8)), at: 0)
                let result = try open.sendMessage(sent, envelope: envelope)
                sentOnConnection += 1
                if sentOnConnection >= plan.messagesPerConnection {
                    try? open.quit()
                    connection = nil
                }
                let elapsed = clock.now - started
                local.record(message, verdict: Verdict.of(result), microseconds: Self.microseconds(elapsed))
            } catch let error as MilterClientError {
                local.recordError(kind: error.code.name, "\(error)")
                connection?.close()
                connection = nil
                // A milter that is down must not turn the run into a busy loop of refused connects.
                if error.code == .connectFailed { usleep(10_000) }
            } catch {
                local.recordError(kind: "other", "\(error)")
                connection?.close()
                connection = nil
            }
        }
        if let connection { try? connection.quit() }
        tally.withLock { $0.merge(local) }
    }

    /// Opens a connection and reports an SMTP client the way Postfix does: connect, then HELO.
    private func openConnection(worker: Int) throws -> MilterConnection {
        let connection = try MilterConnection.open(plan.spec, options: plan.options)
        firstNegotiation.withLock { first in
            if first == nil { first = connection.negotiated }
        }
        // A TEST-NET address: never in a trusted network, so every message is scanned.
        let address = PeerAddress.inet(address: "192.0.2.\(1 + worker % 250)", port: 40000)
        let macros = ["j": "mx.load.example", "{daemon_name}": "smtpd", "v": "Postfix 3.7", "_": "client.load.example [192.0.2.1]"]
        let connected = try connection.connect(hostname: "client.load.example", address: address, macros: macros)
        guard connected.continuesTransaction else { throw MilterClientError(.unexpectedResponse, "connect answered \(connected)") }
        _ = try connection.helo("client.load.example")
        return connection
    }

    /// The envelope of every message, with the macros Postfix sends by default at each stage.
    static func envelope(queueID: String) -> MilterEnvelope {
        MilterEnvelope(
            sender: "sender@load.example", senderParameters: ["SIZE=1000"],
            recipients: [.init("rcpt@load.example")],
            macros: [
                .envelopeFrom: ["i": queueID, "{mail_addr}": "sender@load.example", "{mail_mailer}": "smtp", "{mail_host}": "load.example"],
                .envelopeRecipient: ["{rcpt_addr}": "rcpt@load.example", "{rcpt_mailer}": "smtp", "{rcpt_host}": "load.example"],
                .endOfMessage: ["i": queueID],
            ]
        )
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }
}
