public import Foundation

/// What a purge removed.
public struct PurgeReport: Sendable, Equatable {
    /// The entries removed, oldest first.
    public var removed: [QuarantineID]
    /// Bytes of stored messages removed.
    public var bytes: Int
    /// False when another process or host held the maintenance lock, so this run did nothing.
    public var ran: Bool = true
}

extension QuarantineStore {
    /// Retention, called by the daemon now and then: removes entries older than `maxAge`
    /// seconds, then the oldest entries until the stored messages take at most `maxBytes`.
    /// Zero turns a limit off. An entry being released is never touched. Each removal is
    /// logged. Runs on one daemon at a time across every host sharing the store; the others
    /// return a report with `ran` false.
    @discardableResult
    public func purge(maxAge: Double, maxBytes: Int, now: Date = Date()) throws(QuarantineError) -> PurgeReport {
        let report = try backend.withMaintenanceLock { () throws(QuarantineError) -> PurgeReport in
            var report = PurgeReport(removed: [], bytes: 0)
            if maxAge > 0 {
                let aged = try backend.purgeCandidates(.receivedBefore(now.addingTimeInterval(-maxAge), status: nil))
                try remove(aged, reason: "older than max_age", into: &report)
            }
            if maxBytes > 0 {
                let stored = try backend.purgeCandidates(.stored)
                var excess = stored.reduce(0) { $0 + $1.size } - maxBytes
                var chosen: [PurgeCandidate] = []
                for candidate in stored where excess > 0 {
                    chosen.append(candidate)
                    excess -= candidate.size
                }
                try remove(chosen, reason: "store over max_bytes", into: &report)
            }
            return report
        }
        return report ?? PurgeReport(removed: [], bytes: 0, ran: false)
    }

    /// `scanmilterctl quarantine purge`: removes entries that arrived before `cutoff`,
    /// optionally only those with `status`, and records who asked in the audit log.
    @discardableResult
    public func purge(olderThan cutoff: Date, status: EntryStatus? = nil, by actor: QuarantineActor? = nil) throws(QuarantineError) -> PurgeReport {
        var report = PurgeReport(removed: [], bytes: 0)
        let aged = try backend.purgeCandidates(.receivedBefore(cutoff, status: status))
        try remove(aged, reason: "purged by request", into: &report)
        if let actor {
            for id in report.removed {
                audit(AuditRecord(actor: actor.name, action: "purge", entryID: id, origin: actor.origin, detail: "arrived before \(cutoff)"))
            }
        }
        return report
    }

    /// Removes each candidate: first claims its row (status `deleted`, unless a release claimed
    /// it meanwhile), then removes the message, then the row. A crash in between leaves a
    /// deleted row or a message of a deleted row, which `verify --repair` mends; never a
    /// message without a row.
    private func remove(_ candidates: [PurgeCandidate], reason: String, into report: inout PurgeReport) throws(QuarantineError) {
        let removable = Set(EntryStatus.allCases).subtracting([.releasing])
        for candidate in candidates {
            guard try backend.transition(candidate.id, to: .deleted, from: removable, reason: reason, at: Date()) else { continue }
            if candidate.hasMessage { try backend.removeMessage(candidate.id) }
            try backend.removeEntry(candidate.id)
            report.removed.append(candidate.id)
            report.bytes += candidate.hasMessage ? candidate.size : 0
            logger.notice("quarantine entry purged", metadata: [
                "quarantine.id": "\(candidate.id)", "quarantine.reason": "\(reason)", "mail.size": "\(candidate.size)",
            ])
        }
    }

    /// Counts over the whole store.
    public func stats() throws(QuarantineError) -> QuarantineStats {
        try backend.stats()
    }
}
