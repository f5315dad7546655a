import Foundation
import Sockets
import Testing
import Synchronization
@testable import Quarantine

/// Releases go to `TestSMTPServer`: a minimal real SMTP server listening on 127.0.0.1, so
/// everything is checked as it arrived over a socket.
@Suite("Quarantine release")
struct ReleaseTests {
    private let clean: ([UInt8]) -> RescanResult? = { _ in .clean }

    @Test func releaseDeliversTheOriginalEnvelopeAndMessageToTheRelay() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())

        let outcome = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin", heloName: "scanmilter.test"), rescan: clean)

        guard case .released(let record) = outcome else {
            Issue.record("expected released, got \(outcome)")
            return
        }
        #expect(record.reply == "250 2.0.0 Ok: queued as TEST1")
        let arrived = try #require(server.delivered.first)
        #expect(server.delivered.count == 1)
        #expect(arrived.helo == "scanmilter.test")
        // SIZE recomputed, BODY and DSN kept because the relay offers them, AUTH dropped.
        #expect(arrived.mailFrom == "<mallory@example.net> SIZE=\(Fixtures.message.count) BODY=8BITMIME RET=HDRS ENVID=abc")
        #expect(arrived.rcptTo == ["<alice@example.org> NOTIFY=FAILURE", "<bob@example.org> NOTIFY=FAILURE"])
        // Line ends became CRLF on the wire, a final CRLF was added, leading dots were doubled.
        let wire = String(decoding: arrived.wireData, as: UTF8.self)
        #expect(wire.contains("\r\n..hidden line starting with a dot\r\n...two dots\r\n"))
        #expect(wire.hasSuffix("last line without newline\r\n"))
        #expect(!wire.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let expected = String(decoding: Fixtures.message, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        #expect(String(decoding: arrived.message, as: UTF8.self) == expected)

        let entry = try store.entry(id)
        #expect(entry.status == .released)
        #expect(entry.releases.count == 1)
        #expect(entry.releases[0].by == "admin")
        #expect(entry.releases[0].recipients == ["alice@example.org", "bob@example.org"])
        #expect(entry.releases[0].relay == server.relay)
        #expect(entry.releases[0].delivered)
    }

    @Test func releaseDropsParametersTheRelayDoesNotOffer() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer(replies: .init(extensions: ["PIPELINING"]))
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        _ = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: clean)
        let arrived = try #require(server.delivered.first)
        #expect(arrived.mailFrom == "<mallory@example.net>")
        #expect(arrived.rcptTo == ["<alice@example.org>", "<bob@example.org>"])
    }

    @Test func releaseToOtherAddressesKeepsTheSenderAndReplacesTheRecipients() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        _ = try store.release(id, options: ReleaseOptions(relay: server.relay, recipients: ["postmaster@example.org"], releasedBy: "admin"), rescan: clean)
        let arrived = try #require(server.delivered.first)
        #expect(arrived.mailFrom.hasPrefix("<mallory@example.net>"))
        #expect(arrived.rcptTo == ["<postmaster@example.org>"])
        #expect(try store.entry(id).releases.first?.recipients == ["postmaster@example.org"])
    }

    @Test(arguments: [
        TestSMTPServer.Replies(rcpt: "550 5.1.1 <alice@example.org>: Recipient address rejected"),
        TestSMTPServer.Replies(mail: "451 4.3.0 try again later"),
        TestSMTPServer.Replies(endOfData: "554 5.7.1 content rejected"),
        TestSMTPServer.Replies(endOfData: "452 4.3.1 insufficient system storage"),
    ])
    func aRefusingRelayLeavesTheEntryHeldWithTheReason(replies: TestSMTPServer.Replies) throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer(replies: replies)
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())

        let outcome = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: clean)

        guard case .refused(let reason, let record) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        let refusal = [replies.mail, replies.rcpt, replies.endOfData].first { !$0.hasPrefix("2") } ?? ""
        #expect(reason.contains(refusal))
        #expect(!record.delivered)
        let entry = try store.entry(id)
        #expect(entry.status == .held)
        #expect(entry.statusReason.contains(refusal))
        #expect(entry.releases.count == 1)
        #expect(server.delivered.isEmpty)
        #expect(FileManager.default.fileExists(atPath: store.messagePath(id)))
    }

    @Test func anUnreachableRelayLeavesTheEntryHeld() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer()
        let relay = server.relay
        server.stop()
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let outcome = try store.release(id, options: ReleaseOptions(relay: relay, releasedBy: "admin", timeout: 2), rescan: clean)
        guard case .refused(let reason, _) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        #expect(reason.contains("connect to \(relay)"))
        #expect(try store.entry(id).status == .held)
    }

    @Test func aRelayThatNeverAnswersTimesOutAndLeavesTheEntryHeld() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        // A socket that listens but never accepts: the kernel completes the handshake, and no greeting ever comes.
        let silent = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .ipv4), backlog: 4)
        defer { silent.close() }
        let relay = "127.0.0.1:\(silent.port)"
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let outcome = try store.release(id, options: ReleaseOptions(relay: relay, releasedBy: "admin", timeout: 0.5), rescan: clean)
        guard case .refused(let reason, _) = outcome else {
            Issue.record("expected refused, got \(outcome)")
            return
        }
        #expect(reason.contains("timed out"))
        #expect(try store.entry(id).status == .held)
    }

    @Test func aMessageNowFoundInfectedStaysHeldUnlessForced() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let scanned = Mutex<[UInt8]>([])
        let infected: ([UInt8]) -> RescanResult? = { bytes in
            scanned.withLock { $0 = bytes }
            return .infected(["Win.Test.NewSignature"])
        }

        let kept = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: infected)
        #expect(kept == .keptHeld(reason: "rescan finds it infected: Win.Test.NewSignature"))
        #expect(scanned.withLock { $0 } == Fixtures.message)
        #expect(try store.entry(id).status == .held)
        #expect(try store.entry(id).statusReason.contains("Win.Test.NewSignature"))
        #expect(server.connections == 0)

        let banned = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: { _ in .banned(["exe"]) })
        #expect(banned == .keptHeld(reason: "rescan finds it banned: exe"))

        let forced = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin", force: true), rescan: infected)
        guard case .released = forced else {
            Issue.record("expected released with force, got \(forced)")
            return
        }
        #expect(server.delivered.count == 1)
    }

    @Test func dryRunSendsNothingAndChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let outcome = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin", dryRun: true), rescan: clean)
        #expect(outcome == .wouldRelease(recipients: ["alice@example.org", "bob@example.org"], relay: server.relay, rescan: .clean))
        #expect(server.connections == 0)
        #expect(try store.entry(id).status == .held)
    }

    @Test func aReleasedEntryCannotBeReleasedAgain() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.openStore(directory)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let id = try store.store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        _ = try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: clean)
        #expect {
            try store.release(id, options: ReleaseOptions(relay: server.relay, releasedBy: "admin"), rescan: clean)
        } throws: { ($0 as? QuarantineError)?.code == .notHeld }
        #expect(server.delivered.count == 1)
    }

    @Test func releaseDeliversOnceUnderConcurrentCalls() throws {
        let directory = try TemporaryDirectory()
        let server = try TestSMTPServer(replies: .init(endOfDataDelay: 0.2))
        defer { server.stop() }
        let id = try Fixtures.openStore(directory).store(message: .bytes(Fixtures.message), entry: Fixtures.entry())
        let relay = server.relay
        let path = directory.store
        let results = Mutex<[String]>([])
        let ready = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        // Eight threads, each with its own store (its own SQLite connections) as eight CLI
        // processes would have, released from a start line together.
        for _ in 0..<8 {
            Thread {
                let result: String
                do {
                    let store = try QuarantineStore(directory: path, logger: Fixtures.logger, createIfMissing: false)
                    ready.add(1, ordering: .acquiringAndReleasing)
                    while ready.load(ordering: .acquiring) < 8 { usleep(100) }
                    let outcome = try store.release(id, options: ReleaseOptions(relay: relay, releasedBy: "admin"), rescan: { _ in .clean })
                    if case .released = outcome { result = "released" } else { result = "other: \(outcome)" }
                } catch let error as QuarantineError {
                    result = error.code == .notHeld ? "not held" : "error: \(error)"
                } catch {
                    result = "error: \(error)"
                }
                results.withLock { $0.append(result) }
                finished.signal()
            }.start()
        }
        for _ in 0..<8 { finished.wait() }
        let outcomes = results.withLock { $0 }
        #expect(outcomes.filter { $0 == "released" }.count == 1)
        #expect(outcomes.filter { $0 == "not held" }.count == 7, "\(outcomes)")
        #expect(server.delivered.count == 1)
        #expect(try Fixtures.openStore(directory).entry(id).releases.count == 1)
    }

    @Test func holdEntriesAreReleasedWithPostsuper() throws {
        let directory = try TemporaryDirectory()
        // A stand-in for postsuper: the real one needs a running Postfix with the message in its
        // hold queue (the lead's Postfix end-to-end test covers that); this records its arguments.
        let script = directory.path + "/postsuper"
        let log = directory.path + "/postsuper.log"
        try "#!/bin/sh\necho \"$@\" >> \(log)\necho \"postsuper: Released from hold: 1 message\" >&2\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let store = try Fixtures.openStore(directory, postsuper: script)
        let id = try store.recordHold(entry: Fixtures.entry(queueID: "4XyZ1kLmn8"), postfixConfigDirectory: "/etc/postfix-in")
        #expect {
            try store.release(id, options: ReleaseOptions(relay: "127.0.0.1:1", recipients: ["x@example.org"], releasedBy: "admin"), rescan: clean)
        } throws: { ($0 as? QuarantineError)?.code == .invalidArgument }
        let outcome = try store.release(id, options: ReleaseOptions(relay: "127.0.0.1:1", releasedBy: "admin"), rescan: { _ in
            Issue.record("a hold entry has no file to rescan")
            return nil
        })
        guard case .released(let record) = outcome else {
            Issue.record("expected released, got \(outcome)")
            return
        }
        #expect(record.reply.contains("Released from hold"))
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "-c /etc/postfix-in -H 4XyZ1kLmn8\n")
        #expect(try store.entry(id).status == .released)

        let other = try store.recordHold(entry: Fixtures.entry(queueID: "4Q2w3e4r5t"))
        try store.delete(other, by: "admin")
        #expect(try String(contentsOfFile: log, encoding: .utf8).hasSuffix("-d 4Q2w3e4r5t hold\n"))
        #expect(try store.entry(other).status == .deleted)
    }
}
