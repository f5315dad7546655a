import Foundation
internal import GRDB

extension QuarantineStore {
    /// The entry with this id, with its recipients, findings and release history.
    public func entry(_ id: QuarantineID) throws(QuarantineError) -> QuarantineEntry {
        let found = try read("read \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM entry WHERE id = ?", arguments: [id.rawValue]).map { try Self.decode($0, db) }
        }
        guard let found else { throw QuarantineError(.unknownID, "no quarantine entry \(id)") }
        return found
    }

    /// The entries that match `filter`, oldest first.
    public func list(_ filter: QuarantineFilter = QuarantineFilter()) throws(QuarantineError) -> [QuarantineEntry] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let since = filter.since {
            conditions.append("received_at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        if let sender = filter.sender {
            conditions.append("sender LIKE ? ESCAPE '\\'")
            arguments += [Self.likePattern(sender)]
        }
        if let recipient = filter.recipient {
            conditions.append("EXISTS (SELECT 1 FROM recipient r WHERE r.entry_id = entry.id AND r.address LIKE ? ESCAPE '\\')")
            arguments += [Self.likePattern(recipient)]
        }
        if let finding = filter.finding {
            conditions.append("EXISTS (SELECT 1 FROM finding f WHERE f.entry_id = entry.id AND f.name LIKE ? ESCAPE '\\')")
            arguments += [Self.likePattern(finding)]
        }
        if let status = filter.status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM entry" + whereClause + " ORDER BY received_at, id"
        return try read("list") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Self.decode($0, db) }
        }
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
            releases: releases)
    }

    /// ESMTP parameters are separated by spaces on the wire and cannot contain one (RFC 5321
    /// section 4.1.2), so the index keeps them space-joined.
    static func splitParameters(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }
}
