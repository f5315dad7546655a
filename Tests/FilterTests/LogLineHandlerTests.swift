import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Sockets
import Testing

@Suite struct LogLineHandlerTests {
    @Test func textLinesQuoteValuesWithSpacesAndEscapeNewlines() {
        let line = LogLineHandler.textLine(level: .info, label: "scanmilter", message: "message done",
                                           metadata: ["mail.queue_id": "4Q1", "mail.from": "a b", "x": "evil\ninjected"])
        #expect(line.hasSuffix("info scanmilter: 4Q1: message done mail.from=\"a b\" x=evil\\ninjected"))
    }

    @Test func jsonLinesAreSingleLineObjects() {
        let line = LogLineHandler.jsonLine(level: .warning, label: "l", message: "m \"q\"",
                                           metadata: ["k": .array(["a", "b\n"])])
        #expect(line.contains("\"message\":\"m \\\"q\\\"\""))
        #expect(line.hasSuffix("\"k\":[\"a\",\"b\\n\"]}"))
        #expect(!line.contains("\n"))
    }

    @Test func jsonLinesPutTimeLevelLoggerMessageFirstThenMetadataInKeyOrder() {
        let line = LogLineHandler.jsonLine(level: .info, label: "scanmilter", message: "message done",
                                           metadata: ["mail.queue_id": "4Q1", "a": ["z": "1", "b": "2"], "mail.from": "a\u{85}b"])
        #expect(line.hasPrefix("{\"time\":\""))
        #expect(line.hasSuffix(#"Z","level":"info","logger":"scanmilter","message":"message done","a":{"b":"2","z":"1"},"mail.from":"a\u0085b","mail.queue_id":"4Q1"}"#))
    }
}

/// Lines where administrators look: the journal's priority prefixes, syslog with facility mail,
/// and the Postfix queue id first on every line of a message.
@Suite struct SystemLogTests {
    static let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]

    @Test func journalLinesCarryThePriorityOfTheirLevelAndNoTimestampOfOurs() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        var logger = Logger(label: "scanmilter") { label in
            LogLineHandler(label: label, destination: .journal(ends[1]), format: .text, level: .trace)
        }
        logger[metadataKey: "mail.queue_id"] = "2A786F7C3C1"
        for level in Self.levels { logger.log(level: level, "step done", metadata: ["x": "1"]) }
        close(ends[1])
        let text = String(decoding: FileHandle(fileDescriptor: ends[0]).readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines == [
            "<7>2A786F7C3C1: step done x=1", "<7>2A786F7C3C1: step done x=1", "<6>2A786F7C3C1: step done x=1",
            "<5>2A786F7C3C1: step done x=1", "<4>2A786F7C3C1: warning: step done x=1",
            "<3>2A786F7C3C1: error: step done x=1", "<2>2A786F7C3C1: critical: step done x=1",
        ])
    }

    @Test func journalStreamIsUsedOnlyWhenTheDescriptorIsTheNamedFile() throws {
        let path = NSTemporaryDirectory() + "/journal-\(UUID().uuidString)"
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        defer { close(fd); unlink(path) }
        var info = stat()
        #expect(fstat(fd, &info) == 0)
        #expect(LogLineHandler.isJournalStream(fd, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
        #expect(!LogLineHandler.isJournalStream(fd, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"]))
        #expect(!LogLineHandler.isJournalStream(fd, environment: [:]))
        #expect(!LogLineHandler.isJournalStream(fd, environment: ["JOURNAL_STREAM": "garbage"]))
    }

    @Test func syslogLinesReachTheLocalSocketWithFacilityMailAndTheQueueIDFirst() throws {
        let path = NSTemporaryDirectory() + "/syslog-\(UUID().uuidString.prefix(8)).sock"
        let collector = try Socket.datagram(boundTo: path)
        defer { collector.close(); unlink(path) }
        let mail = try #require(LogSettings.syslogFacilities["mail"])
        let writer = SyslogWriter(path: path, facility: mail)
        var logger = Logger(label: "scanmilter") { label in
            LogLineHandler(label: label, destination: .syslog(writer), format: .text, level: .info)
        }
        logger.notice("scanmilter ready", metadata: ["version": "1.2.3"])
        logger[metadataKey: "mail.queue_id"] = "2A786F7C3C1"
        logger.info("message done", metadata: ["scan.verdict": "clean"])
        logger.warning("scan failed")

        let deadline = ContinuousClock.now + .seconds(5)
        let received = try (0..<3).map { _ in String(decoding: try collector.read(upTo: 8192, until: deadline), as: UTF8.self) }
        let header = #/^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d scanmilter\[(\d+)\]: (.*)$/#
        let parsed = try received.map { datagram in
            let match = try #require(datagram.wholeMatch(of: header), "an RFC 3164 line: \(datagram)")
            return (priority: Int(match.1) ?? -1, pid: Int32(match.2) ?? -1, body: String(match.3))
        }
        #expect(parsed.map(\.priority) == [mail * 8 + 5, mail * 8 + 6, mail * 8 + 4])
        #expect(parsed.allSatisfy { $0.pid == getpid() })
        #expect(parsed.map(\.body) == [
            "scanmilter ready version=1.2.3", "2A786F7C3C1: message done scan.verdict=clean", "2A786F7C3C1: warning: scan failed",
        ])
    }

    @Test func syslogWithNobodyListeningFallsBackToStderrWithoutBlocking() {
        let writer = SyslogWriter(path: NSTemporaryDirectory() + "/nobody-\(UUID().uuidString.prefix(8)).sock", facility: 2)
        let started = ContinuousClock.now
        writer.send(severity: 6, body: "scanmilter test line: syslog unreachable, this goes to stderr")
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
