import Foundation
internal import GRDB

extension LocalQuarantineBackend {
    /// The entries that still have a message file.
    static let storedCondition = "action = 'quarantine' AND status IN ('held', 'released')"

    public func purgeCandidates(_ selection: PurgeSelection) throws(QuarantineError) -> [PurgeCandidate] {
        let sql: String
        var arguments = StatementArguments()
        switch selection {
        case .receivedBefore(let cutoff, let status):
            arguments += [cutoff.timeIntervalSince1970]
            var condition = "received_at < ? AND status <> 'releasing'"
            if let status {
                condition += " AND status = ?"
                arguments += [status.rawValue]
            }
            sql = "SELECT id, size, action, status FROM entry WHERE \(condition) ORDER BY received_at, id"
        case .stored:
            sql = "SELECT id, size, action, status FROM entry WHERE \(Self.storedCondition) ORDER BY received_at, id"
        }
        return try read("purge candidates") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> PurgeCandidate? in
                guard let id = QuarantineID(try row.decode(String.self, forColumn: "id")) else { return nil }
                let hasMessage = try row.decode(String.self, forColumn: "action") == QuarantineAction.quarantine.rawValue
                    && [EntryStatus.held.rawValue, EntryStatus.released.rawValue].contains(try row.decode(String.self, forColumn: "status"))
                return PurgeCandidate(id: id, size: try row.decode(Int.self, forColumn: "size"), hasMessage: hasMessage)
            }
        }
    }

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
