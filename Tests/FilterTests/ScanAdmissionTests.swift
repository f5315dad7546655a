@testable import Filter
import Foundation
import Scanning
import Synchronization
import Testing

/// How many messages each stage takes at once: local work by the cores, scans at a clamd pool by
/// what the pool can take now.
@Suite struct ScanAdmissionTests {
    @Test func theEmbeddedEngineBoundsWholeMessagesByTheCoresUnlessTheSettingSaysOtherwise() {
        let byCores = ScanAdmission.make(maxConcurrentScans: 0, cores: 2, poolCapacity: nil)
        #expect(byCores.remote == nil)
        let first = byCores.admit(timeout: 0), second = byCores.admit(timeout: 0)
        #expect(first != nil && second != nil)
        #expect(byCores.admit(timeout: 0) == nil)
        // Without a scan stage of its own, a message keeps its slot through the scan.
        #expect(first?.enterScanStage(timeout: 0) == true)
        #expect(byCores.local.count == 2)
        first?.finish()
        #expect(byCores.admit(timeout: 0) != nil)

        let explicit = ScanAdmission.make(maxConcurrentScans: 5, cores: 2, poolCapacity: nil)
        #expect((0..<5).allSatisfy { _ in explicit.admit(timeout: 0) != nil })
        #expect(explicit.admit(timeout: 0) == nil)
    }

    @Test func withClamdMessagesUnderScanFollowThePoolNotTheCores() {
        let capacity = Atomic<Int>(20)
        let admission = ScanAdmission.make(maxConcurrentScans: 0, cores: 2, poolCapacity: { capacity.load(ordering: .relaxed) })
        var scanning: [AdmissionTicket] = []
        for _ in 0..<20 {
            guard let ticket = admission.admit(timeout: 0) else {
                Issue.record("a local slot stayed taken after its message went to the pool")
                return
            }
            #expect(ticket.enterScanStage(timeout: 0))
            scanning.append(ticket)
        }
        // Twenty messages at the pool, while parsing still takes one slot per core.
        #expect(admission.local.count == 0 && admission.remote?.count == 20)
        let waiting = admission.admit(timeout: 0)
        #expect(waiting != nil)
        #expect(waiting?.enterScanStage(timeout: 0) == false, "the pool is full")
        #expect(admission.local.count == 0, "a message that found no room holds no slot")

        // A server went down: ten messages finish, and still nothing more goes in.
        capacity.store(10, ordering: .relaxed)
        for ticket in scanning.prefix(10) { ticket.finish() }
        let next = admission.admit(timeout: 0)
        #expect(next?.enterScanStage(timeout: 0) == false)
        // One more finishes: now there is room.
        scanning[10].finish()
        #expect(admission.admit(timeout: 0)?.enterScanStage(timeout: 0) == true)
    }

    @Test func aMessageTakesRoomAtThePoolForEachScanItSendsAtOnce() {
        let admission = ScanAdmission.make(maxConcurrentScans: 0, cores: 2, poolCapacity: { 10 })
        // An attachment and the skeleton: two of clamd's ten threads each, so five messages.
        let entered = (0..<6).map { _ in admission.admit(timeout: 0)?.enterScanStage(scans: 2, timeout: 0) }
        #expect(entered == [true, true, true, true, true, false])
        #expect(admission.remote?.count == 10)
        // A message with more scans than the pool has threads still goes, alone.
        let alone = ScanAdmission.make(maxConcurrentScans: 0, cores: 2, poolCapacity: { 10 })
        let big = alone.admit(timeout: 0)
        #expect(big?.enterScanStage(scans: 12, timeout: 0) == true)
        #expect(alone.admit(timeout: 0)?.enterScanStage(scans: 1, timeout: 0) == false)
        big?.finish()
        #expect(alone.remote?.count == 0)
        // An explicit max_concurrent_scans counts messages, whatever they send.
        let explicit = ScanAdmission.make(maxConcurrentScans: 2, cores: 2, poolCapacity: { 10 })
        let byMessage = (0..<3).map { _ in explicit.admit(timeout: 0)?.enterScanStage(scans: 4, timeout: 0) }
        #expect(byMessage == [true, true, false])
    }

    @Test func aWaiterGetsInWhenThePoolGrowsWithoutAnyMessageLeaving() {
        let capacity = Atomic<Int>(1)
        let gate = AdmissionGate(limit: { capacity.load(ordering: .relaxed) })
        #expect(gate.enter(timeout: 0))
        Thread.detachNewThread {
            usleep(100_000)
            capacity.store(2, ordering: .relaxed)
        }
        #expect(gate.enter(timeout: 5))
        #expect(gate.count == 2)
    }

    @Test func everyServerDownStillLetsOneMessageThroughToBeAnsweredAtOnce() {
        let admission = ScanAdmission.make(maxConcurrentScans: 0, cores: 2, poolCapacity: { 0 })
        let ticket = admission.admit(timeout: 0)
        #expect(ticket?.enterScanStage(timeout: 0) == true)
        #expect(admission.admit(timeout: 0)?.enterScanStage(timeout: 0) == false)
    }

    @Test func anExplicitSettingBoundsTheClamdScanStage() {
        let admission = ScanAdmission.make(maxConcurrentScans: 3, cores: 2, poolCapacity: { 100 })
        let entered = (0..<3).map { _ in admission.admit(timeout: 0)?.enterScanStage(timeout: 0) }
        #expect(entered == [true, true, true])
        #expect(admission.admit(timeout: 0)?.enterScanStage(timeout: 0) == false)
    }
}

/// `[scan] clamd_servers` entries: an address, and optionally that server's own max_threads.
@Suite struct ClamdServerEntryTests {
    @Test func anEntryMayGiveItsServersOwnMaxThreads() throws {
        let plain = try FilterService.clamdServer("10.0.0.5:3310", defaultMaxThreads: 10)
        #expect(plain.endpoint == .tcp(host: "10.0.0.5", port: 3310) && plain.maxThreads == 10)
        let own = try FilterService.clamdServer("unix:/run/clamav/clamd.ctl  max_threads=24", defaultMaxThreads: 10)
        #expect(own.endpoint == .unix(path: "/run/clamav/clamd.ctl") && own.maxThreads == 24)
    }

    @Test(arguments: ["10.0.0.5:3310 max_threads=0", "10.0.0.5:3310 threads=4", "10.0.0.5:3310 max_threads=x", "not an address"])
    func aBadEntryIsRefusedWithTheReason(entry: String) {
        #expect(throws: FilterService.StartupError.self) { _ = try FilterService.clamdServer(entry, defaultMaxThreads: 10) }
    }
}
