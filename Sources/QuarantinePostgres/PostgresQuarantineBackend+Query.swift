import Foundation
import Postgres
public import Quarantine

/// A statement's SQL with its parameters bound as `$1`, `$2`, ... in the order they are added.
struct SQLParameters {
    var values: [PostgresValue] = []

    /// Adds `value` and returns its placeholder.
    mutating func bind(_ value: PostgresValue) -> String {
        values.append(value)
        return "$\(values.count)"
    }
}

extension PostgresQuarantineBackend {
    public func entry(_ id: QuarantineID) throws(QuarantineError) -> QuarantineEntry? {
        try run("read \(id)") {
            try pool.withConnection { connection in
                let rows = try connection.query("SELECT * FROM entry WHERE id = $1", [.text(id.rawValue)])
                return try Self.decode(rows, connection).first
            }
        }
    }

    public func list(_ query: QuarantineQuery) throws(QuarantineError) -> QuarantinePage {
        var parameters = SQLParameters()
        let whereClause = Self.conditions(query.filter, &parameters)
        let countParameters = parameters.values
        let direction = query.descending ? "DESC" : "ASC"
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
        var sql = "SELECT * FROM entry" + whereClause + " ORDER BY \(Self.column(query.order)) \(direction), id COLLATE \"C\" \(direction)"
        if let limit = query.limit { sql += " LIMIT " + parameters.bind(.int(max(0, limit))) }
        if query.offset > 0 { sql += " OFFSET " + parameters.bind(.int(query.offset)) }
        let pageParameters = parameters.values
        return try run("list") {
            try pool.withConnection { connection in
                let entries = try Self.decode(try connection.query(sql, pageParameters), connection)
                let total: Int
                if query.limit == nil && query.offset == 0 {
                    total = entries.count
                } else {
                    total = try connection.query("SELECT COUNT(*) AS n FROM entry" + whereClause, countParameters).int(0, "n")
                }
                return QuarantinePage(entries: entries, total: total)
            }
        }
    }

    public func audit(_ query: AuditQuery) throws(QuarantineError) -> [AuditRecord] {
        var parameters = SQLParameters()
        var conditions: [String] = []
        if let id = query.entryID { conditions.append("entry_id = " + parameters.bind(.text(id.rawValue))) }
        if let actor = query.actor { conditions.append("actor = " + parameters.bind(Self.text(actor))) }
        if let since = query.since { conditions.append("at >= " + parameters.bind(.double(since.timeIntervalSince1970))) }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM audit" + whereClause + " ORDER BY at DESC, number DESC LIMIT "
            + parameters.bind(.int(max(0, query.limit))) + " OFFSET " + parameters.bind(.int(max(0, query.offset)))
        return try run("audit") {
            try pool.withConnection { connection in
                let rows = try connection.query(sql, parameters.values)
                return try (0..<rows.count).map { row in
                    AuditRecord(
                        at: Date(timeIntervalSince1970: try rows.double(row, "at")),
                        actor: try rows.string(row, "actor"),
                        action: try rows.string(row, "action"),
                        entryID: try rows.optionalString(row, "entry_id").flatMap(QuarantineID.init),
                        origin: try rows.string(row, "origin"),
                        detail: try rows.string(row, "detail"))
                }
            }
        }
    }

    /// The column an order sorts by; a fixed list, so nothing from a request reaches the SQL.
    static func column(_ order: QuarantineQuery.Order) -> String {
        switch order {
        case .receivedAt: return "received_at"
        case .sender: return "sender COLLATE \"C\""
        case .subject: return "subject COLLATE \"C\""
        case .size: return "size"
        case .verdict: return "verdict COLLATE \"C\""
        case .status: return "status COLLATE \"C\""
        case .host: return "host COLLATE \"C\""
        }
    }

    /// The WHERE clause for a filter; every value is a bound parameter. Substring matches are
    /// case-insensitive (ILIKE), as the local store's LIKE is.
    static func conditions(_ filter: QuarantineFilter, _ parameters: inout SQLParameters) -> String {
        var conditions: [String] = []
        func like(_ value: String) -> String { parameters.bind(Self.text(likePattern(value))) }
        if let since = filter.since { conditions.append("received_at >= " + parameters.bind(.double(since.timeIntervalSince1970))) }
        if let until = filter.until { conditions.append("received_at < " + parameters.bind(.double(until.timeIntervalSince1970))) }
        if let sender = filter.sender { conditions.append("sender ILIKE \(like(sender)) ESCAPE '\\'") }
        if let recipient = filter.recipient {
            conditions.append("EXISTS (SELECT 1 FROM recipient r WHERE r.entry_id = entry.id AND r.address ILIKE \(like(recipient)) ESCAPE '\\')")
        }
        if let subject = filter.subject { conditions.append("subject ILIKE \(like(subject)) ESCAPE '\\'") }
        if let finding = filter.finding {
            conditions.append("EXISTS (SELECT 1 FROM finding f WHERE f.entry_id = entry.id AND f.name ILIKE \(like(finding)) ESCAPE '\\')")
        }
        if let verdict = filter.verdict { conditions.append("verdict = " + parameters.bind(Self.text(verdict))) }
        if let host = filter.host { conditions.append("host = " + parameters.bind(Self.text(host))) }
        if let status = filter.status { conditions.append("status = " + parameters.bind(.text(status.rawValue))) }
        if let search = filter.text {
            let pattern = like(search)
            conditions.append("""
                (id ILIKE \(pattern) ESCAPE '\\' OR queue_id ILIKE \(pattern) ESCAPE '\\' OR sender ILIKE \(pattern) ESCAPE '\\'
                 OR subject ILIKE \(pattern) ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM recipient r WHERE r.entry_id = entry.id AND r.address ILIKE \(pattern) ESCAPE '\\')
                 OR EXISTS (SELECT 1 FROM finding f WHERE f.entry_id = entry.id AND f.name ILIKE \(pattern) ESCAPE '\\'))
                """)
        }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// `%text%` with LIKE's own wildcards escaped, so `a_b` matches only `a_b`.
    static func likePattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// Entries from their rows, with the child rows of all of them read in three statements.
    /// A row the store should never hold (an unknown status, a malformed id) is an error.
    static func decode(_ rows: PostgresRows, _ connection: PostgresConnection) throws -> [QuarantineEntry] {
        guard rows.count > 0 else { return [] }
        let ids = try (0..<rows.count).map { try rows.string($0, "id") }
        let idArray = PostgresValue.textArray(ids)
        var recipients: [String: [EnvelopeAddress]] = [:]
        let recipientRows = try connection.query(
            "SELECT entry_id, address, parameters FROM recipient WHERE entry_id = ANY($1::text[]) ORDER BY entry_id, position", [idArray])
        for row in 0..<recipientRows.count {
            recipients[try recipientRows.string(row, "entry_id"), default: []].append(EnvelopeAddress(
                try recipientRows.string(row, "address"), parameters: splitParameters(try recipientRows.string(row, "parameters"))))
        }
        var findings: [String: [String]] = [:]
        let findingRows = try connection.query(
            "SELECT entry_id, name FROM finding WHERE entry_id = ANY($1::text[]) ORDER BY entry_id, position", [idArray])
        for row in 0..<findingRows.count {
            findings[try findingRows.string(row, "entry_id"), default: []].append(try findingRows.string(row, "name"))
        }
        var releases: [String: [ReleaseRecord]] = [:]
        let releaseRows = try connection.query("SELECT * FROM release WHERE entry_id = ANY($1::text[]) ORDER BY number", [idArray])
        for row in 0..<releaseRows.count {
            releases[try releaseRows.string(row, "entry_id"), default: []].append(ReleaseRecord(
                at: Date(timeIntervalSince1970: try releaseRows.double(row, "released_at")),
                by: try releaseRows.string(row, "released_by"),
                recipients: try releaseRows.string(row, "recipients").split(separator: "\n").map(String.init),
                relay: try releaseRows.string(row, "relay"),
                reply: try releaseRows.string(row, "reply"),
                delivered: try releaseRows.bool(row, "delivered")))
        }
        return try (0..<rows.count).map { row in
            let idText = ids[row]
            guard let id = QuarantineID(idText) else { throw QuarantineError(.index, "database row has a malformed id '\(idText)'") }
            let actionText = try rows.string(row, "action")
            let statusText = try rows.string(row, "status")
            guard let action = QuarantineAction(rawValue: actionText), let status = EntryStatus(rawValue: statusText) else {
                throw QuarantineError(.index, "database row \(idText) has action '\(actionText)', status '\(statusText)'")
            }
            return QuarantineEntry(
                id: id,
                receivedAt: Date(timeIntervalSince1970: try rows.double(row, "received_at")),
                queueID: try rows.string(row, "queue_id"),
                clientAddress: try rows.string(row, "client_address"),
                clientHelo: try rows.string(row, "client_helo"),
                sender: EnvelopeAddress(try rows.string(row, "sender"), parameters: splitParameters(try rows.string(row, "sender_parameters"))),
                recipients: recipients[idText] ?? [],
                subject: try rows.string(row, "subject"),
                size: try rows.int(row, "size"),
                sha256: try rows.string(row, "sha256"),
                verdict: try rows.string(row, "verdict"),
                findings: findings[idText] ?? [],
                action: action,
                status: status,
                statusReason: try rows.string(row, "status_reason"),
                statusChangedAt: Date(timeIntervalSince1970: try rows.double(row, "status_changed_at")),
                signatureVersion: try rows.string(row, "signature_version"),
                postfixConfigDirectory: try rows.optionalString(row, "postfix_config_directory"),
                host: try rows.string(row, "host"),
                releases: releases[idText] ?? [])
        }
    }

    /// ESMTP parameters are separated by spaces on the wire and cannot contain one (RFC 5321
    /// section 4.1.2), so the store keeps them space-joined.
    static func splitParameters(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }
}
