import ScanmilterConfiguration
@testable import Filter
import Foundation
import Logging
import Quarantine
import Sockets
import StableJSON
import Testing

@Suite struct NotificationTests {
    static func notice(sender: String = "<a@example.org>", verdict: String = "banned", subject: String = "hi") -> MessageNotice {
        MessageNotice(
            time: Date(timeIntervalSince1970: 0), host: "mx.test", queueID: "4QX1", clientAddress: "192.0.2.7", helo: "client",
            sender: sender, subject: subject,
            recipients: [.init(address: "<b@example.net>", policy: "default", action: "reject", verdict: "Banned (x)")],
            verdict: verdict, status: "Banned (x)", viruses: [], rules: ["x"], action: "reject", quarantineID: nil,
            admins: ["postmaster@example.net"], held: [])
    }

    @Test func pastTheLimitNoticesAreCountedForOneSummaryAfterTheMinute() {
        var limit = NotificationRateLimit(limit: 3)
        let start = ContinuousClock.now
        var admitted: [Int] = []
        for index in 0..<10 where limit.admit("n\(index)", admins: ["a@x.example"], now: start + .seconds(index)) { admitted.append(index) }
        #expect(admitted == [0, 1, 2])
        #expect(limit.dueSummary(now: start + .seconds(30)) == nil)
        let summary = limit.dueSummary(now: start + .seconds(61))
        #expect(summary?.count == 7 && summary?.lines.first == "n3" && summary?.admins == ["a@x.example"])
        // A new minute: notices go again.
        let later = limit.admit("later", admins: [], now: start + .seconds(62))
        #expect(later)
    }

    @Test(arguments: [
        ("<>", "null sender"), ("", "null sender"), ("<MAILER-DAEMON@example.org>", "automated or role sender"),
        ("<bounces+x@example.org>", "automated or role sender"), ("<a@localhost>", "not a plain address with a domain"),
    ])
    func sendersThatMustNotBeToldAreRefused(sender: String, reason: String) {
        #expect(Notifier.senderRefusal(Self.notice(sender: sender)) == reason)
    }

    @Test func anInfectedMessagesSenderIsNeverToldButABannedOnesMayBe() {
        #expect(Notifier.senderRefusal(Self.notice(verdict: "infected")) == "infected mail forges its sender")
        #expect(Notifier.senderRefusal(Self.notice()) == nil)
    }

    @Test func theAdministratorsMailCannotBeSplitIntoHeadersByTheSubject() throws {
        let mail = NotificationMail(from: "", host: "mx.test")
        let text = String(decoding: mail.admin(Self.notice(subject: "a\r\nBcc: victim@example.org"), subject: "%i: %r"), as: UTF8.self)
        let headerBlock = try #require(text.components(separatedBy: "\r\n\r\n").first)
        #expect(!headerBlock.contains("Bcc:"))
        #expect(headerBlock.contains("Subject: 4QX1: x"))
        #expect(headerBlock.contains("From: scanmilter <MAILER-DAEMON@mx.test>") && headerBlock.contains("Auto-Submitted: auto-generated"))
        #expect(text.contains("Subject:       a  Bcc: victim@example.org"))
    }

    /// A relay that accepts connections (the kernel does) and never says a word: every submission
    /// still returns at once, the queue stays bounded, and the silence ends as a counted failure.
    @Test func aRelayThatNeverAnswersDelaysNoMessageAndTheQueueStaysBounded() throws {
        let relay = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .any))
        defer { relay.close() }
        var settings = NotifySettings()
        settings.admins = ["postmaster@example.net"]
        settings.queueSize = 3
        let submission = try #require(MailSubmission(relay: "127.0.0.1:\(relay.port)", timeout: 1))
        let metrics = Metrics()
        let notifier = try Notifier(
            settings: settings, submission: submission, hostname: "mx.test", temporaryDirectory: NSTemporaryDirectory(),
            metrics: metrics, logger: Logger(label: "test"))
        notifier.start()
        for _ in 0..<10 { notifier.submit(Self.notice()) }
        // Ten submissions returned while the relay has not answered once: at most the queue's
        // three and the one being sent are kept, the rest counted as suppressed.
        let suppressed = metrics.snapshot.notifications[NotificationKey(channel: .mail, result: .suppressed)] ?? 0
        #expect(suppressed >= 6 && suppressed <= 7)
        let failed = { metrics.snapshot.notifications[NotificationKey(channel: .mail, result: .failed)] ?? 0 }
        for _ in 0..<200 where failed() == 0 { usleep(50_000) }
        notifier.stop()
        #expect(failed() >= 1, "the relay's silence (1 s timeout) was not counted as a failure")
    }

    static func script(_ body: String) throws -> (path: String, dir: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/hook.sh"
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return (path, dir)
    }

    @Test func theHookGetsTheVerdictAsJSONOnStdinAndNothingInItsEnvironment() throws {
        let (path, dir) = try Self.script("cat > \"$1/in.json\"; env > \"$1/env\"")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hostile = "$(touch \(dir)/pwned) \"quoted\" `x`\nline"
        let input = Array((try StableJSONEncoder().encode(Self.notice(subject: hostile)) + "\n").utf8)
        let outcome = HookCommand(argv: [path, dir], timeout: .seconds(10)).run(input: input, temporaryDirectory: dir)
        #expect(outcome.succeeded)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/in.json"))) as? [String: Any]
        #expect(json?["subject"] as? String == hostile)
        #expect(json?["queue_id"] as? String == "4QX1" && json?["event"] as? String == "message-stopped")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/pwned"))
        let environment = try String(contentsOfFile: "\(dir)/env", encoding: .utf8)
        #expect(!environment.contains("4QX1") && !environment.contains("touch"))
    }

    @Test func aHookThatHangsIsKilledAndOneThatFloodsIsCutOff() throws {
        let (path, dir) = try Self.script("sleep 30")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hung = HookCommand(argv: [path], timeout: .milliseconds(300)).run(input: [], temporaryDirectory: dir)
        #expect(hung.ending == .killed)
        let (flood, _) = try Self.script("yes flood")
        let flooded = HookCommand(argv: [flood], timeout: .seconds(5)).run(input: [], temporaryDirectory: dir)
        #expect(flooded.output.utf8.count <= HookCommand.keptOutput)
        #expect(!flooded.succeeded)
        let missing = HookCommand(argv: ["\(dir)/nonexistent"], timeout: .seconds(1)).run(input: [], temporaryDirectory: dir)
        if case .notStarted = missing.ending {} else { Issue.record("a missing program was reported as \(missing.ending)") }
    }
}
