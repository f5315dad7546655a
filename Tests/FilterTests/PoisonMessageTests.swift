import ScanmilterConfiguration
import Foundation
import MIME
@testable import Filter
import Scanning
import Testing

/// A message that killed scan workers twice is not scanned a third time: the policy
/// quarantines it (or rejects it for good without a store), never temp-fails it again.
@Suite struct PoisonMessageTests {
    static func message(_ received: String) -> MessageBytes {
        MessageBytes(Array("Received: \(received)\r\nSubject: crafted\r\n\r\nthe same body\r\n".utf8))
    }

    @Test func aRetryWithNewHeadersHasTheSameFingerprint() {
        let first = PoisonRegistry.fingerprint(Self.message("by mx1 id 1111"))
        #expect(first == PoisonRegistry.fingerprint(Self.message("by mx2 id 2222; later")))
        #expect(first != PoisonRegistry.fingerprint(MessageBytes(Array("Subject: crafted\r\n\r\nanother body\r\n".utf8))))
        // LF line ends, and a message that is all header, still have a fingerprint.
        #expect(PoisonRegistry.fingerprint(MessageBytes(Array("A: b\n\nbody".utf8))) == PoisonRegistry.fingerprint(MessageBytes(Array("C: d\n\nbody".utf8))))
        #expect(!PoisonRegistry.fingerprint(MessageBytes(Array("no body at all".utf8))).isEmpty)
    }

    @Test func crashesCountWithinTheWindowOnly() {
        let registry = PoisonRegistry(limit: 2, window: 3600)
        let start = Date()
        #expect(registry.isEmpty)
        #expect(registry.record("f", now: start) == 1)
        #expect(registry.record("f", now: start.addingTimeInterval(60)) == 2)
        #expect(registry.crashes(of: "f", now: start.addingTimeInterval(120)) == 2)
        #expect(registry.crashes(of: "f", now: start.addingTimeInterval(3630)) == 1)
        #expect(registry.crashes(of: "f", now: start.addingTimeInterval(7300)) == 0)
        #expect(registry.isEmpty, "expired crashes are forgotten")
    }

    @Test func aPoisonMessageIsQuarantinedOrRejectedNeverTempFailed() {
        let findings = Findings(scan: .unscannable(UnscannableReason(.scannerCrash, "killed scan workers 2 times")))
        let withStore = Policy(actions: ActionSettings(), replies: ReplySettings(), scannerCrash: .quarantine).decide(findings)
        #expect(withStore.action == .quarantine)
        #expect(withStore.verdict == .unscanned("scanner crash"))
        let without = Policy(actions: ActionSettings(), replies: ReplySettings()).decide(findings)
        #expect(without.action == .reject)
        #expect(without.reply?.code == 554)
        #expect(without.reply?.lines.first?.contains("scanner crash") == true)
        // A crash on its own (first and second attempts) is unscannable: temp-failed by default.
        let crash = Policy(actions: ActionSettings(), replies: ReplySettings()).decide(
            Findings(scan: .unscannable(UnscannableReason(.workerCrashed, "scan worker 7 was killed by SIGSEGV"))))
        #expect(crash.action == .tempfail)
    }
}
