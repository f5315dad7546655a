import Foundation

/// How many messages may be in each stage of the pipeline at once.
///
/// Parsing and type detection are this host's CPU work, bounded by its cores. Where the scan is
/// done decides the rest: the embedded engine scans on the same cores, so one slot covers a
/// message from parse to decision (as it always did); a clamd pool scans elsewhere, so a message
/// leaves its local slot when it goes to the pool and waits instead for the pool's capacity (the
/// `MaxThreads` of the servers in rotation), which grows with every server added and shrinks
/// when one goes down. There a message counts as the scans it sends at once (each decoded
/// attachment and the skeleton), so that what is admitted is what clamd's threads can run
/// rather than a queue inside clamd.
public final class ScanAdmission: Sendable {
    /// Messages parsed and typed at once (and scanned, for the embedded engine).
    let local: AdmissionGate
    /// Scans (or messages, see `remoteCountsScans`) at the clamd pool; nil when scans share the local slot.
    let remote: AdmissionGate?
    /// Whether a message takes one unit of `remote` per scan it sends at once (the pool's
    /// capacity), or one in all (an explicit `max_concurrent_scans`, which counts messages).
    let remoteCountsScans: Bool

    /// `local` slots for parsing and type detection; `remote`, when given, bounds the scan stage.
    init(local: AdmissionGate, remote: AdmissionGate?, remoteCountsScans: Bool = false) {
        self.local = local
        self.remote = remote
        self.remoteCountsScans = remoteCountsScans
    }

    /// The stages as `[scan] max_concurrent_scans` and the backend ask: for the embedded engine,
    /// the setting (0: one per core) bounds whole messages; for clamd the local stage has one slot
    /// per core and the scan stage the setting, or with 0 the pool's `capacity` now.
    static func make(maxConcurrentScans: Int, cores: Int, poolCapacity: (@Sendable () -> Int)?) -> ScanAdmission {
        let cores = max(1, cores)
        guard let poolCapacity else {
            let slots = maxConcurrentScans > 0 ? maxConcurrentScans : cores
            return ScanAdmission(local: AdmissionGate(fixed: slots), remote: nil)
        }
        if maxConcurrentScans > 0 {
            return ScanAdmission(local: AdmissionGate(fixed: cores), remote: AdmissionGate(fixed: maxConcurrentScans))
        }
        return ScanAdmission(local: AdmissionGate(fixed: cores), remote: AdmissionGate(limit: poolCapacity), remoteCountsScans: true)
    }

    /// Takes a local slot for a new message, waiting up to `timeout` seconds.
    func admit(timeout: Double) -> AdmissionTicket? {
        guard local.enter(timeout: timeout) else { return nil }
        return AdmissionTicket(admission: self)
    }
}

/// One message's place in the stages: which slot it holds now. Confined to the message's callback.
final class AdmissionTicket {
    private let admission: ScanAdmission
    private var held: (gate: AdmissionGate, units: Int)?

    fileprivate init(admission: ScanAdmission) {
        self.admission = admission
        held = (admission.local, 1)
    }

    /// Moves the message from its local slot to the scan stage, where it takes room for the
    /// `scans` it sends at once, waiting up to `timeout` seconds for the pool; returns false when
    /// no room became free (the message then holds no slot). With no separate scan stage the
    /// message keeps its local slot and this returns true at once.
    func enterScanStage(scans: Int = 1, timeout: Double) -> Bool {
        guard let remote = admission.remote, held?.gate !== remote else { return true }
        finish()
        let units = admission.remoteCountsScans ? max(1, scans) : 1
        guard remote.enter(units: units, timeout: timeout) else { return false }
        held = (remote, units)
        return true
    }

    /// Gives back whatever slot the message holds (called once it is decided).
    func finish() {
        if let held { held.gate.leave(units: held.units) }
        held = nil
    }
}

/// A counting gate whose limit may change while messages wait (a clamd server going down or
/// coming back): like a semaphore, but the limit is read each time someone wants in.
final class AdmissionGate: @unchecked Sendable {
    // @unchecked: `inside` is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var inside = 0
    private let limit: @Sendable () -> Int

    /// How often a waiter looks at the limit again: a limit that grows signals nobody.
    static let recheckInterval = 0.25

    /// A gate whose limit is `limit()` at each attempt, never less than 1 (with every server
    /// down, a message still goes on, to be answered "unavailable" at once rather than wait).
    init(limit: @escaping @Sendable () -> Int) {
        self.limit = limit
    }

    /// A gate with a fixed limit.
    convenience init(fixed: Int) {
        let slots = max(1, fixed)
        self.init(limit: { slots })
    }

    /// Messages inside now.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return inside
    }

    /// Takes `units` when they fit under the limit (or the gate is empty: a message larger than
    /// the whole limit goes alone rather than never), waiting up to `timeout` seconds; false on timeout.
    func enter(units: Int = 1, timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while inside > 0 && inside + units > max(1, limit()) {
            let now = Date()
            if now >= deadline { return false }
            _ = condition.wait(until: min(deadline, now.addingTimeInterval(Self.recheckInterval)))
        }
        inside += units
        return true
    }

    /// Gives back `units`, letting waiters in.
    func leave(units: Int = 1) {
        condition.lock()
        inside -= units
        condition.broadcast()
        condition.unlock()
    }
}
