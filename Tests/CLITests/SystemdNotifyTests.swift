import Foundation
import MilterClient
import Sockets
import Testing

/// The built daemon under a `Type=notify` unit's environment: `$NOTIFY_SOCKET` names a real
/// datagram socket in a temporary folder, `$WATCHDOG_USEC` asks for keep-alives.
@Suite(.serialized) struct SystemdNotifyTests {
    @Test func readyArrivesWhenTheMilterAnswersThenReloadWatchdogAndStopAreReported() throws {
        let daemon = try HealthDaemonFixture()
        let notifySocket = daemon.root + "/notify.sock"
        let notifications = try Socket.datagram(boundTo: notifySocket)
        defer { notifications.close() }
        daemon.environment = ["NOTIFY_SOCKET": notifySocket, "WATCHDOG_USEC": "400000"]
        try daemon.start { true }
        defer { daemon.stop() }

        let ready = try Self.next(from: notifications) { $0["READY"] == "1" }
        // The moment READY=1 arrives, Postfix may connect: the milter must answer at once.
        let connection = try MilterConnection.open(try MilterSocketSpec(parsing: daemon.milterSocket))
        connection.close()
        let log = (try? String(contentsOfFile: daemon.log, encoding: .utf8)) ?? ""
        let database = try #require(log.split(separator: "\n").first { $0.contains("scanmilter ready") }
            .flatMap { line in line.range(of: "scan.database=\"").map { line[$0.upperBound...].prefix { $0 != "\"" } } })
        #expect(ready["STATUS"] == "scanning with \(database)", "STATUS names the signatures: \(ready)")

        _ = try Self.next(from: notifications) { $0["WATCHDOG"] == "1" }
        _ = try Self.next(from: notifications) { $0["WATCHDOG"] == "1" }

        let reload = try BuiltTool("scanmilterctl").run(["reload", "--config", daemon.config])
        #expect(reload.status == 0, "\(reload.err)")
        let reloading = try Self.next(from: notifications) { $0["RELOADING"] == "1" }
        #expect(UInt64(reloading["MONOTONIC_USEC"] ?? "") ?? 0 > 0, "systemd ≥ 253 wants MONOTONIC_USEC: \(reloading)")
        let readyAgain = try Self.next(from: notifications) { $0["READY"] == "1" }
        #expect(readyAgain["STATUS"] == "scanning with \(database)")

        let pid = try #require(daemon.pid)
        kill(pid, SIGTERM)
        _ = try Self.next(from: notifications) { $0["STOPPING"] == "1" }
    }

    @Test func withoutWatchdogUsecNoKeepAlivesAreSent() throws {
        let daemon = try HealthDaemonFixture()
        let notifySocket = daemon.root + "/notify.sock"
        let notifications = try Socket.datagram(boundTo: notifySocket)
        defer { notifications.close() }
        daemon.environment = ["NOTIFY_SOCKET": notifySocket]
        try daemon.start { true }
        defer { daemon.stop() }
        _ = try Self.next(from: notifications) { $0["READY"] == "1" }
        #expect(throws: (any Error).self) { try Self.next(from: notifications, within: .seconds(1)) { $0["WATCHDOG"] != nil } }
    }

    /// The next notification that `matches`, as its `KEY=value` lines; skips the others.
    static func next(
        from socket: Socket, within limit: Duration = .seconds(30), _ matches: ([String: String]) -> Bool
    ) throws -> [String: String] {
        let deadline = ContinuousClock.now + limit
        while true {
            let datagram = String(decoding: try socket.read(upTo: 4096, until: deadline), as: UTF8.self)
            var fields: [String: String] = [:]
            for line in datagram.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            if matches(fields) { return fields }
        }
    }
}
