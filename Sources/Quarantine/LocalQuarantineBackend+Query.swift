import Foundation
internal import GRDB

extension LocalQuarantineBackend {
    public func entry(_ id: QuarantineID) throws(QuarantineError) -> QuarantineEntry? {
        try read("read \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM entry WHERE id = ?", arguments: [id.rawValue]).map { try Self.decode($0, db) }
        }
    }

    public func list(_ query: QuarantineQuery) throws(QuarantineError) -> QuarantinePage {
        let (whereClause, arguments) = Self.conditions(query.filter)
        let direction = query.descending ? "DESC" : "ASC"
        var sql = "SELECT * FROM entry" + whereClause + " ORDER BY \(Self.column(query.order)) \(direction), id \(direction)"
        var pageArguments = arguments
        if let limit = query.limit {
            sql += " LIMIT ? OFFSET ?"
            pageArguments += [max(0, limit), max(0, query.offset)]
        } else if query.offset > 0 {
            sql += " LIMIT -1 OFFSET ?"
            pageArguments += [query.offset]
        }
        return try read("list") { db in
            let entries = try Row.fetchAll(db, sql: sql, arguments: pageArguments).map { try Self.decode($0, db) }
            let total: Int
            if query.limit == nil && query.offset == 0 {
                total = entries.count
            } else {
                total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry" + whereClause, arguments: arguments) ?? 0
            }
            return QuarantinePage(entries: entries, total: total)
        }
    }

    public func audit(_ query: AuditQuery) throws(QuarantineError) -> [AuditRecord] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let id = query.entryID {
            conditions.append("entry_id = ?")
            arguments += [id.rawValue]
        }
        if let actor = query.actor {
            conditions.append("actor = ?")
            arguments += [actor]
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(0, query.limit), max(0, query.offset)]
        return try read("audit") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit" + whereClause + " ORDER BY at DESC, number DESC LIMIT ? OFFSET ?", arguments: arguments).map { row in
                AuditRecord(
                    at: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "at")),
                    actor: try row.decode(String.self, forColumn: "actor"),
                    action: try row.decode(String.self, forColumn: "action"),
                    entryID: try row.decode(String?.self, forColumn: "entry_id").flatMap(QuarantineID.init),
                    origin: try row.decode(String.self, forColumn: "origin"),
                    detail: try row.decode(String.self, forColumn: "detail"))
            }
        }
    }

    /// The column an order sorts by; a fixed list, so nothing from a request reaches the SQL.
    static func column(_ order: QuarantineQuery.Order) -> String {
        switch order {
        case .receivedAt: return "received_at"
        case .sender: return "sender"
        case .subject: return "subject"
        case .size: return "size"
        case .verdict: return "verdict"
        case .status: return "status"
        case .host: return "host"
        }
    }

    /// The WHERE clause and its arguments for a filter; every value is a bound parameter.
    static func conditions(_ filter: QuarantineFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let since = filter.since {
            conditions.append("received_at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let until = filter.until {
            conditions.append("received_at < ?")
            arguments += [until.timeIntervalSince1970]
        }
        if let sender = filter.sender {
            conditions.append("sender LIKE ? ESCAPE '\\'")
            arguments += [Self.likePattern(sender)]
        }
        if let recipient = filter.recipient {
            conditions.append("EXISTS (SELECT 1 FROM recipient r WHERE r.entry_id = entry.id AND r.address LIKE ? ESCAPE '\\')")
            arguments += [Self.likePattern(recipient)]
        }
        if let subject = filter.subject {
            conditions.append("subject LIKE ? ESCAPE '\\'")
            arguments += [Self.likePattern(subject)]
        }
        if let finding = filter.finding {
            conditions.append("EXISTS (SELECT 1 FROM finding f WHERE f.entry_id = entry.id AND f.name LIKE ? ESCAPE '\\')")
            arguments += [Self.likePattern(finding)]
        }
        if let verdict = filter.verdict {
            conditions.append("verdict = ?")
            arguments += [verdict]
        }
        if let host = filter.host {
            conditions.append("host = ?")
            arguments += [host]
        }
        if let status = filter.status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let text = filter.text {
            let pattern = Self.likePattern(text)
            conditions.append("""
                (id LIKE ? ESCAPE '\\' OR queue_id LIKE ? ESCAPE '\\' OR sender LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\'
                 OR EXISTS (SELECT 1 FROM recipient r WHERE r.entry_id = entry.id AND r.address LIKE ? ESCAPE '\\')
                 OR EXISTS (SELECT 1 FROM finding f WHERE f.entry_id = entry.id AND f.name LIKE ? ESCAPE '\\'))
                """)
            arguments += StatementArguments(Array(repeating: pattern, count: 6))
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
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

    /// An entry from its row and its child rows; a row the index should never hold (an unknown
    /// status, a malformed id) is an error, not a crash.
    static func decode(_ row: Row, _ db: Database) throws -> QuarantineEntry {
        let idText = try row.decode(String.self, forColumn: "id")
        guard let id = QuarantineID(idText) else { throw QuarantineError(.index, "index row has a malformed id '\(idText)'") }
        let actionText = try row.decode(String.self, forColumn: "action")
        let statusText = try row.decode(String.self, forColumn: "status")
        guard let action = QuarantineAction(rawValue: actionText), let status = EntryStatus(rawValue: statusText) else {
            throw QuarantineError(.index, "index row \(idText) has action '\(actionText)', status '\(statusText)'")
        }
        let recipients = try Row.fetchAll(
            db, sql: "SELECT address, parameters FROM recipient WHERE entry_id = ? ORDER BY position", arguments: [idText]
        ).map { row in
            EnvelopeAddress(try row.decode(String.self, forColumn: "address"), parameters: Self.splitParameters(try row.decode(String.self, forColumn: "parameters")))
        }
        let findings = try String.fetchAll(db, sql: "SELECT name FROM finding WHERE entry_id = ? ORDER BY position", arguments: [idText])
        let releases = try Row.fetchAll(db, sql: "SELECT * FROM release WHERE entry_id = ? ORDER BY number", arguments: [idText]).map { row in
            ReleaseRecord(
                at: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "released_at")),
                by: try row.decode(String.self, forColumn: "released_by"),
                recipients: try row.decode(String.self, forColumn: "recipients").split(separator: "\n").map(String.init),
                relay: try row.decode(String.self, forColumn: "relay"),
                reply: try row.decode(String.self, forColumn: "reply"),
                delivered: try row.decode(Bool.self, forColumn: "delivered"))
        }
        return QuarantineEntry(
            id: id,
            receivedAt: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "received_at")),
            queueID: try row.decode(String.self, forColumn: "queue_id"),
            clientAddress: try row.decode(String.self, forColumn: "client_address"),
            clientHelo: try row.decode(String.self, forColumn: "client_helo"),
            sender: EnvelopeAddress(
                try row.decode(String.self, forColumn: "sender"),
                parameters: Self.splitParameters(try row.decode(String.self, forColumn: "sender_parameters"))),
            recipients: recipients,
            subject: try row.decode(String.self, forColumn: "subject"),
            size: try row.decode(Int.self, forColumn: "size"),
            sha256: try row.decode(String.self, forColumn: "sha256"),
            verdict: try row.decode(String.self, forColumn: "verdict"),
            findings: findings,
            action: action,
            status: status,
            statusReason: try row.decode(String.self, forColumn: "status_reason"),
            statusChangedAt: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "status_changed_at")),
            signatureVersion: try row.decode(String.self, forColumn: "signature_version"),
            postfixConfigDirectory: try row.decode(String?.self, forColumn: "postfix_config_directory"),
            host: try row.decode(String.self, forColumn: "host"),
            releases: releases)
    }

    /// ESMTP parameters are separated by spaces on the wire and cannot contain one (RFC 5321
    /// section 4.1.2), so the index keeps them space-joined.
    static func splitParameters(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }
}
