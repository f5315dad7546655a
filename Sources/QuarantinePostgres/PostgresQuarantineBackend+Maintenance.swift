public import Foundation
import Postgres
public import Quarantine

extension PostgresQuarantineBackend {
    /// The entries that still have a stored message.
    static let storedCondition = "action = 'quarantine' AND status IN ('held', 'released')"

    /// Work in progress younger than this is left alone, as in the local store.
    static let settleTime: Double = 3600

    public func purgeCandidates(_ selection: PurgeSelection) throws(QuarantineError) -> [PurgeCandidate] {
        let sql: String
        var parameters: [PostgresValue] = []
        switch selection {
        case .receivedBefore(let cutoff, let status):
            parameters.append(.double(cutoff.timeIntervalSince1970))
            var condition = "received_at < $1 AND status <> 'releasing'"
            if let status {
                condition += " AND status = $2"
                parameters.append(.text(status.rawValue))
            }
            sql = "SELECT id, size, action, status FROM entry WHERE \(condition) ORDER BY received_at, id COLLATE \"C\""
        case .stored:
            sql = "SELECT id, size, action, status FROM entry WHERE \(Self.storedCondition) ORDER BY received_at, id COLLATE \"C\""
        }
        return try run("purge candidates") {
            try pool.withConnection { connection in
                let rows = try connection.query(sql, parameters)
                return try (0..<rows.count).compactMap { row -> PurgeCandidate? in
                    guard let id = QuarantineID(try rows.string(row, "id")) else { return nil }
                    let status = try rows.string(row, "status")
                    let hasMessage = try rows.string(row, "action") == QuarantineAction.quarantine.rawValue
                        && [EntryStatus.held.rawValue, EntryStatus.released.rawValue].contains(status)
                    return PurgeCandidate(id: id, size: try rows.int(row, "size"), hasMessage: hasMessage)
                }
            }
        }
    }

    public func stats() throws(QuarantineError) -> QuarantineStats {
        try run("stats") {
            try pool.withConnection { connection in
                var byStatus = Dictionary(uniqueKeysWithValues: EntryStatus.allCases.map { ($0.rawValue, 0) })
                let statusRows = try connection.query("SELECT status, COUNT(*) AS n FROM entry GROUP BY status")
                for row in 0..<statusRows.count { byStatus[try statusRows.string(row, "status")] = try statusRows.int(row, "n") }
                var byAction = Dictionary(uniqueKeysWithValues: QuarantineAction.allCases.map { ($0.rawValue, 0) })
                let actionRows = try connection.query("SELECT action, COUNT(*) AS n FROM entry GROUP BY action")
                for row in 0..<actionRows.count { byAction[try actionRows.string(row, "action")] = try actionRows.int(row, "n") }
                let totals = try connection.query("SELECT COUNT(*) AS n, MIN(received_at) AS oldest, MAX(received_at) AS newest FROM entry")
                let bytes = try connection.query("SELECT COALESCE(SUM(size), 0) AS bytes FROM entry WHERE \(Self.storedCondition)").int(0, "bytes")
                let top = try connection.query(
                    "SELECT name, COUNT(DISTINCT entry_id) AS n FROM finding GROUP BY name ORDER BY n DESC, name COLLATE \"C\" LIMIT 10")
                return QuarantineStats(
                    entries: try totals.int(0, "n"),
                    byStatus: byStatus,
                    byAction: byAction,
                    bytes: bytes,
                    oldest: try totals.optionalDouble(0, "oldest").map(Date.init(timeIntervalSince1970:)),
                    newest: try totals.optionalDouble(0, "newest").map(Date.init(timeIntervalSince1970:)),
                    topFindings: try (0..<top.count).map { row in
                        QuarantineStats.FindingCount(name: try top.string(row, "name"), count: try top.int(row, "n"))
                    })
            }
        }
    }

    /// Compares entries with their chunks on the server (each chunk's SHA-256 is recomputed
    /// there, so no message crosses the network): an entry with no chunks is reported in
    /// `missingFiles` (repair: marked deleted), one whose chunks do not match, do not follow
    /// each other or do not add up to its size in `checksumMismatches` (reported only), chunks
    /// of a deleted entry in `leftoverFiles` (repair: removed), and releases that died midway
    /// in `interruptedReleases` (repair: back to held with a warning; never delivered).
    /// Orphan chunks cannot exist: a foreign key ties every chunk to its entry.
    public func verify(repair: Bool, now: Date) throws(QuarantineError) -> VerifyReport {
        var report = VerifyReport(repaired: repair)
        let sql = """
            SELECT e.id, e.action, e.status, e.size, e.status_changed_at,
                   COALESCE(c.n, 0) AS chunks, COALESCE(c.bytes, 0) AS bytes, COALESCE(c.bad, 0) AS bad, COALESCE(c.last, -1) AS last
            FROM entry e LEFT JOIN (
                SELECT entry_id, COUNT(*) AS n, SUM(length(bytes)) AS bytes,
                       COUNT(*) FILTER (WHERE sha256 <> encode(sha256(bytes), 'hex')) AS bad, MAX(number) AS last
                FROM chunk GROUP BY entry_id
            ) c ON c.entry_id = e.id
            ORDER BY e.received_at, e.id COLLATE "C"
            """
        try run("verify") {
            try pool.withConnection { connection in
                let rows = try connection.query(sql)
                for row in 0..<rows.count {
                    guard let id = QuarantineID(try rows.string(row, "id")) else { continue }
                    let status = try rows.string(row, "status")
                    let chunks = try rows.int(row, "chunks")
                    if status == EntryStatus.deleted.rawValue {
                        if chunks > 0 { report.leftoverFiles.append("\(id): \(chunks) chunks") }
                        continue
                    }
                    guard try rows.string(row, "action") == QuarantineAction.quarantine.rawValue else { continue }
                    let changedAt = try rows.double(row, "status_changed_at")
                    if status == EntryStatus.releasing.rawValue && now.timeIntervalSince1970 - changedAt > Self.settleTime {
                        report.interruptedReleases.append(id)
                    }
                    let size = try rows.int(row, "size")
                    let bad = try rows.int(row, "bad")
                    let bytes = try rows.int(row, "bytes")
                    let last = try rows.int(row, "last")
                    if chunks == 0 && size > 0 {
                        report.missingFiles.append(id)
                    } else if bad > 0 || bytes != size || last != chunks - 1 {
                        report.checksumMismatches.append(id)
                    }
                }
            }
        }
        if repair { try mend(report, now: now) }
        return report
    }

    private func mend(_ report: VerifyReport, now: Date) throws(QuarantineError) {
        for id in report.missingFiles {
            _ = try transition(id, to: .deleted, from: [.held, .released], reason: "message chunks missing (found by verify)", at: now)
            logger.warning("quarantine entry without message marked deleted", metadata: ["quarantine.id": "\(id)"])
        }
        for id in report.interruptedReleases {
            _ = try transition(
                id, to: .held, from: [.releasing],
                reason: "a release was interrupted and may have been delivered: check the relay log before releasing again", at: now)
            logger.warning("interrupted quarantine release reset to held", metadata: ["quarantine.id": "\(id)"])
        }
        for leftover in report.leftoverFiles {
            guard let id = leftover.split(separator: ":").first.flatMap({ QuarantineID(String($0)) }) else { continue }
            try run("remove leftover chunks of \(id)") {
                try pool.withConnection {
                    try $0.query("DELETE FROM chunk WHERE entry_id = $1 AND EXISTS (SELECT 1 FROM entry WHERE id = $1 AND status = 'deleted')", [.text(id.rawValue)])
                }
            }
        }
    }
}
