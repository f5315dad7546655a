import Foundation
import MilterClient
import Sockets
import Testing

/// The built daemon's log lines where administrators look: the journal (stderr under
/// `$JOURNAL_STREAM`) and a log file that logrotate moves away.
@Suite(.serialized) struct SystemLogDaemonTests {
    @Test func underJournalStreamEveryLineHasThePriorityOfItsLevelAndAMessageStartsWithItsQueueID() throws {
        let daemon = try HealthDaemonFixture(logTarget: "stderr", logLevel: "debug")
        // systemd names the stream it connected stderr to; the fixture's stderr is the log file.
        _ = FileManager.default.createFile(atPath: daemon.log, contents: nil)
        var info = stat()
        #expect(stat(daemon.log, &info) == 0)
        daemon.environment = ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]
        try daemon.start()
        defer { daemon.stop() }

        let connection = try MilterConnection.open(try MilterSocketSpec(parsing: daemon.milterSocket))
        let envelope = MilterEnvelope(sender: "a@example.org", recipients: [.init("b@example.org")], macros: [.endOfMessage: ["i": "2A786F7C3C1"]])
        _ = try connection.sendMessage(Array("Subject: hi\r\n\r\nhello\r\n".utf8), envelope: envelope)
        connection.close()
        // A failed reload logs an error: a broken signature file, then a reload.
        try "not a signature\n".write(toFile: daemon.root + "/db/broken.ndb", atomically: true, encoding: .utf8)
        _ = try BuiltTool("scanmilterctl").run(["reload", "--config", daemon.config])
        daemon.stop()

        let lines = try String(contentsOfFile: daemon.log, encoding: .utf8).split(separator: "\n").map(String.init)
        let priorities = lines.map { $0.prefixMatch(of: #/<([0-7])>/#).flatMap { Int($0.1) } }
        #expect(!lines.isEmpty && priorities.allSatisfy { $0 != nil }, "every line has a priority: \(lines)")
        #expect(Set(priorities.compactMap { $0 }).isSuperset(of: [3, 5, 6]), "errors, notices and infos: \(lines)")
        for line in lines {
            // No timestamp of ours: the journal has its own.
            #expect(line.wholeMatch(of: #/<\d>\d{4}-\d\d-\d\dT.*/#) == nil, "\(line)")
            // Warnings and worse say so after the queue id, as Postfix's do; others do not.
            let word = line.firstMatch(of: #/^<(\d)>(?:[0-9A-F]+: )?(warning|error|critical): /#)
            switch Int(line.dropFirst().prefix(1)) ?? -1 {
            case 2: #expect(word?.2 == "critical", "\(line)")
            case 3: #expect(word?.2 == "error", "\(line)")
            case 4: #expect(word?.2 == "warning", "\(line)")
            default: #expect(word == nil, "\(line)")
            }
        }
        let message = lines.filter { $0.contains("2A786F7C3C1") }
        #expect(!message.isEmpty && message.allSatisfy { $0.wholeMatch(of: #/<\d>2A786F7C3C1: .*/#) != nil }, "\(message)")
    }

    @Test func withTheSyslogTargetALocalSyslogSocketGetsFacilityMailAndTheQueueIDFirst() throws {
        let socketPath = NSTemporaryDirectory() + "/syslog-\(UUID().uuidString.prefix(8)).sock"
        let collector = try Socket.datagram(boundTo: socketPath)
        defer { collector.close(); unlink(socketPath) }
        let daemon = try HealthDaemonFixture(logTarget: "syslog:\(socketPath)")
        var received: [String] = []
        // Each look takes what has arrived by then.
        func drain(for wait: Duration) {
            while let datagram = try? collector.read(upTo: 65536, until: .now + wait) { received.append(String(decoding: datagram, as: UTF8.self)) }
        }
        try daemon.start { drain(for: .milliseconds(50)); return received.contains { $0.contains("scanmilter ready") } }
        defer { daemon.stop() }

        let connection = try MilterConnection.open(try MilterSocketSpec(parsing: daemon.milterSocket))
        let envelope = MilterEnvelope(sender: "a@example.org", recipients: [.init("b@example.org")], macros: [.endOfMessage: ["i": "3B897A8D4E2"]])
        _ = try connection.sendMessage(Array("Subject: hi\r\n\r\nhello\r\n".utf8), envelope: envelope)
        connection.close()
        drain(for: .seconds(2))

        let pid = try #require(daemon.pid)
        // <PRI> is facility mail (2) * 8 + severity; the tag is the daemon's name and pid.
        let header = #/^<(1[6-9]|2[0-3])>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d scanmilter\[(\d+)\]: (.*)$/#
        let lines = received.compactMap { $0.wholeMatch(of: header) }
        #expect(lines.count == received.count && !lines.isEmpty, "every datagram is RFC 3164 with facility mail: \(received)")
        // The daemon's own lines, and its scan zygote's (the engine load), each with its own pid.
        #expect(lines.allSatisfy { Int32($0.2) == pid || Self.parent(of: Int32($0.2) ?? 0) == pid }, "\(lines.map(\.0))")
        #expect(lines.contains { Int32($0.2) == pid })
        let message = lines.map { String($0.3) }.filter { $0.contains("3B897A8D4E2") }
        #expect(message.contains { $0.hasPrefix("3B897A8D4E2: message done ") }, "\(message)")
        #expect(message.allSatisfy { $0.hasPrefix("3B897A8D4E2: ") })
        #expect(lines.contains { $0.1 == "21" && $0.3.hasPrefix("scanmilter ready") }, "notice is mail.notice (2*8+5)")
    }

    /// The parent process id of `pid`, from /proc; nil when it is gone.
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    @Test func sigusr1ReopensALogFileThatWasRenamed() throws {
        let daemon = try HealthDaemonFixture()
        try daemon.start()
        defer { daemon.stop() }
        let pid = try #require(daemon.pid)
        #expect(rename(daemon.log, daemon.log + ".1") == 0)
        kill(pid, SIGUSR1)
        let deadline = ContinuousClock.now + .seconds(20)
        var reopened = ""
        while ContinuousClock.now < deadline {
            reopened = (try? String(contentsOfFile: daemon.log, encoding: .utf8)) ?? ""
            if reopened.contains("log file reopened") { break }
            usleep(50_000)
        }
        #expect(reopened.contains("log file reopened"), "the new file gets the daemon's lines")
        #expect(kill(pid, 0) == 0, "SIGUSR1 does not kill the daemon")
        let rotated = try String(contentsOfFile: daemon.log + ".1", encoding: .utf8)
        #expect(rotated.contains("scanmilter ready") && !rotated.contains("log file reopened"))
    }
}
