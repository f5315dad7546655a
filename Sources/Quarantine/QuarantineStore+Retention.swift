public import Foundation
internal import GRDB

/// What a purge removed.
public struct PurgeReport: Sendable, Equatable {
    /// The entries removed, oldest first.
    public var removed: [QuarantineID]
    /// Bytes of message files removed.
    public var bytes: Int
}

extension QuarantineStore {
    /// The stored bytes the retention limit counts: entries that still have a message file.
    static let storedCondition = "action = 'quarantine' AND status IN ('held', 'released')"

    /// Retention, called by the daemon now and then: removes entries older than `maxAge`
    /// seconds, then the oldest entries until the files take at most `maxBytes`. Zero turns a
    /// limit off. An entry being released is never touched. Each removal is logged.
    @discardableResult
    public func purge(maxAge: Double, maxBytes: Int, now: Date = Date()) throws(QuarantineError) -> PurgeReport {
        var report = PurgeReport(removed: [], bytes: 0)
        if maxAge > 0 {
            let cutoff = now.timeIntervalSince1970 - maxAge
            let aged = try candidates("SELECT id, size, action, status FROM entry WHERE received_at < ? AND status <> 'releasing' ORDER BY received_at, id", [cutoff])
            try remove(aged, reason: "older than max_age", into: &report)
        }
        if maxBytes > 0 {
            let total = try read("stored bytes") { db in
                try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM entry WHERE \(Self.storedCondition)") ?? 0
            }
            if total > maxBytes {
                let stored = try candidates("SELECT id, size, action, status FROM entry WHERE \(Self.storedCondition) ORDER BY received_at, id", [])
                var excess = total - maxBytes
                var chosen: [Candidate] = []
                for candidate in stored where excess > 0 {
                    chosen.append(candidate)
                    excess -= candidate.size
                }
                try remove(chosen, reason: "store over max_bytes", into: &report)
            }
        }
        return report
    }

    /// `scanmilterctl quarantine purge`: removes entries that arrived before `cutoff`,
    /// optionally only those with `status`.
    @discardableResult
    public func purge(olderThan cutoff: Date, status: EntryStatus? = nil) throws(QuarantineError) -> PurgeReport {
        var report = PurgeReport(removed: [], bytes: 0)
        let aged: [Candidate]
        if let status {
            aged = try candidates("SELECT id, size, action, status FROM entry WHERE received_at < ? AND status = ? AND status <> 'releasing' ORDER BY received_at, id", [cutoff.timeIntervalSince1970, status.rawValue])
        } else {
            aged = try candidates("SELECT id, size, action, status FROM entry WHERE received_at < ? AND status <> 'releasing' ORDER BY received_at, id", [cutoff.timeIntervalSince1970])
        }
        try remove(aged, reason: "purged by request", into: &report)
        return report
    }

    struct Candidate {
        var id: QuarantineID
        var size: Int
        var hasFile: Bool
    }

    private func candidates(_ sql: String, _ arguments: StatementArguments) throws(QuarantineError) -> [Candidate] {
        try read("purge candidates") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> Candidate? in
                guard let id = QuarantineID(try row.decode(String.self, forColumn: "id")) else { return nil }
                let hasFile = try row.decode(String.self, forColumn: "action") == QuarantineAction.quarantine.rawValue
                    && [EntryStatus.held.rawValue, EntryStatus.released.rawValue].contains(try row.decode(String.self, forColumn: "status"))
                return Candidate(id: id, size: try row.decode(Int.self, forColumn: "size"), hasFile: hasFile)
            }
        }
    }

    /// Removes each candidate: first claims its row (status `deleted`, unless a release claimed
    /// it meanwhile), then removes the file, then the row. A crash in between leaves a deleted row
    /// or a file of a deleted row, which `verify --repair` mends; never a message without a row.
    private func remove(_ candidates: [Candidate], reason: String, into report: inout PurgeReport) throws(QuarantineError) {
        for candidate in candidates {
            let claimed = try write("purge \(candidate.id)") { db in
                try db.execute(
                    sql: "UPDATE entry SET status = 'deleted', status_reason = ?, status_changed_at = ? WHERE id = ? AND status <> 'releasing'",
                    arguments: [reason, Date().timeIntervalSince1970, candidate.id.rawValue])
                return db.changesCount
            }
            guard claimed == 1 else { continue }
            if candidate.hasFile { try MessageFile.remove(messagePath(candidate.id)) }
            try write("purge \(candidate.id)") { db in
                try db.execute(sql: "DELETE FROM entry WHERE id = ?", arguments: [candidate.id.rawValue])
            }
            report.removed.append(candidate.id)
            report.bytes += candidate.hasFile ? candidate.size : 0
            logger.notice("quarantine entry purged", metadata: [
                "quarantine.id": "\(candidate.id)", "quarantine.reason": "\(reason)", "mail.size": "\(candidate.size)",
            ])
        }
        if !report.removed.isEmpty { try MessageFile.syncDirectory(directory) }
    }

    /// Counts over the whole store.
    public func stats() throws(QuarantineError) -> QuarantineStats {
        try read("stats") { db in
            var byStatus = Dictionary(uniqueKeysWithValues: EntryStatus.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM entry GROUP BY status") {
                byStatus[try row.decode(String.self, forColumn: "status")] = try row.decode(Int.self, forColumn: "n")
            }
            var byAction = Dictionary(uniqueKeysWithValues: QuarantineAction.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT action, COUNT(*) AS n FROM entry GROUP BY action") {
                byAction[try row.decode(String.self, forColumn: "action")] = try row.decode(Int.self, forColumn: "n")
            }
            let totals = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(received_at) AS oldest, MAX(received_at) AS newest FROM entry")
            let bytes = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM entry WHERE \(Self.storedCondition)") ?? 0
            let top = try Row.fetchAll(db, sql: "SELECT name, COUNT(DISTINCT entry_id) AS n FROM finding GROUP BY name ORDER BY n DESC, name LIMIT 10").map { row in
                QuarantineStats.FindingCount(name: try row.decode(String.self, forColumn: "name"), count: try row.decode(Int.self, forColumn: "n"))
            }
            return QuarantineStats(
                entries: try totals?.decode(Int.self, forColumn: "n") ?? 0,
                byStatus: byStatus,
                byAction: byAction,
                bytes: bytes,
                oldest: try totals?.decode(Double?.self, forColumn: "oldest").map(Date.init(timeIntervalSince1970:)),
                newest: try totals?.decode(Double?.self, forColumn: "newest").map(Date.init(timeIntervalSince1970:)),
                topFindings: top)
        }
    }
}
