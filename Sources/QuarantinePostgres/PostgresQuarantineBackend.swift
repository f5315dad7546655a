#if canImport(Glibc)
import Glibc
#endif
public import Foundation
public import Logging
public import Postgres
public import Quarantine
import Checksum

/// The shared store: index and messages in one PostgreSQL database that several mail hosts
/// use at once, each through its own small pool of connections.
///
/// Messages are kept in `chunk` rows of at most 1 MiB, each with its SHA-256, checked on every
/// read (by the server, beside the data; the whole message by ``QuarantineStore``); a message is written and read a chunk at a time, so a 50 MB message is never one value
/// or one allocation on the way in. An insert is one transaction, committed before it returns.
/// Every status change is one conditional UPDATE: PostgreSQL's row locks make a second
/// concurrent claim of an entry see the first one's result and change nothing, whichever host
/// it comes from. The maintenance lock is a session advisory lock.
///
/// The backend never changes the schema: ``PostgresQuarantineSchema/migrate(_:logger:)`` does,
/// from `scanmilterctl quarantine init`.
public final class PostgresQuarantineBackend: QuarantineBackend {
    /// The connections.
    public let pool: PostgresPool
    let logger: Logger

    /// Bytes in one chunk row, at most.
    public static let chunkSize = 1 << 20

    /// The URI without its password.
    public var location: String { PostgresOptions.redacted(pool.options.uri) }

    /// Connects and checks that the schema is this build's: `.schemaMismatch` when it is
    /// missing, older or newer; `.unavailable` when the server cannot be reached or refuses the login.
    public init(options: PostgresOptions, logger: Logger) throws(QuarantineError) {
        pool = PostgresPool(options)
        self.logger = logger
        try PostgresQuarantineSchema.check(pool, location: PostgresOptions.redacted(options.uri))
    }

    deinit { pool.close() }

    public func insert(
        id: QuarantineID, entry: NewEntry, action: QuarantineAction, message: MessageSource?, size: Int,
        postfixConfigDirectory: String?
    ) throws(QuarantineError) -> StoredMessage {
        try run("insert \(id)") {
            try pool.transaction { connection in
                try Self.insertRows(
                    connection, id: id, entry: entry, action: action, size: size, sha256: "", status: .held, statusReason: "",
                    statusChangedAt: Date(), postfixConfigDirectory: postfixConfigDirectory)
                guard let message else { return StoredMessage(size: size, sha256: "") }
                let stored = try Self.writeChunks(connection, id: id, message: message)
                try connection.query("UPDATE entry SET size = $1, sha256 = $2 WHERE id = $3", [.int(stored.size), .text(stored.sha256), .text(id.rawValue)])
                return stored
            }
        }
    }

    /// The entry row with its recipients and findings, on `connection` (inside the caller's transaction).
    static func insertRows(
        _ connection: PostgresConnection, id: QuarantineID, entry: NewEntry, action: QuarantineAction, size: Int, sha256: String,
        status: EntryStatus, statusReason: String, statusChangedAt: Date, postfixConfigDirectory: String?
    ) throws {
        try connection.query(
            """
            INSERT INTO entry (id, received_at, queue_id, client_address, client_helo, sender, sender_parameters,
                subject, size, sha256, verdict, action, status, status_reason, status_changed_at,
                signature_version, postfix_config_directory, host)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            """,
            [
                .text(id.rawValue), .double(entry.receivedAt.timeIntervalSince1970), text(entry.queueID), text(entry.clientAddress),
                text(entry.clientHelo), text(entry.sender.address), text(entry.sender.parameters.joined(separator: " ")),
                text(entry.subject), .int(size), .text(sha256), text(entry.verdict), .text(action.rawValue), .text(status.rawValue),
                text(statusReason), .double(statusChangedAt.timeIntervalSince1970), text(entry.signatureVersion),
                postfixConfigDirectory.map(text) ?? .null, text(entry.host),
            ])
        for (position, recipient) in entry.recipients.enumerated() {
            try connection.query(
                "INSERT INTO recipient (entry_id, position, address, parameters) VALUES ($1, $2, $3, $4)",
                [.text(id.rawValue), .int(position), text(recipient.address), text(recipient.parameters.joined(separator: " "))])
        }
        for (position, name) in entry.findings.enumerated() {
            try connection.query(
                "INSERT INTO finding (entry_id, position, name) VALUES ($1, $2, $3)", [.text(id.rawValue), .int(position), text(name)])
        }
    }

    /// Streams `message` into chunk rows of at most ``chunkSize`` bytes, hashing each and the whole.
    static func writeChunks(_ connection: PostgresConnection, id: QuarantineID, message: MessageSource) throws -> StoredMessage {
        var whole = SHA256()
        var number = 0
        var total = 0
        func put(_ chunk: [UInt8]) throws {
            whole.update(chunk)
            // The server hashes the chunk (OpenSSL, beside the data) and the client the whole
            // message: each byte is hashed once on each side of the wire, not twice here.
            try connection.query(
                "INSERT INTO chunk (entry_id, number, bytes, sha256) VALUES ($1, $2, $3, encode(sha256($3), 'hex'))",
                [.text(id.rawValue), .int(number), .bytea(chunk)])
            number += 1
            total += chunk.count
        }
        switch message {
        case .bytes(let bytes):
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunkSize)
                try put(Array(bytes[start..<end]))
                start = end
            }
        case .file(let descriptor, let length):
            guard length >= 0 else { throw QuarantineError(.invalidArgument, "message length \(length) is negative") }
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            var offset = 0
            while offset < length {
                let wanted = min(chunkSize, length - offset)
                var filled = 0
                while filled < wanted {
                    let got = buffer.withUnsafeMutableBytes { raw in
                        pread(descriptor, raw.baseAddress.map { $0 + filled }, wanted - filled, off_t(offset + filled))
                    }
                    if got < 0 {
                        if errno == EINTR { continue }
                        throw QuarantineError(.io, "pread the message source (descriptor \(descriptor)): \(String(cString: strerror(errno)))")
                    }
                    guard got > 0 else { throw QuarantineError(.io, "the message source ended at byte \(offset + filled) of \(length)") }
                    filled += got
                }
                try put(Array(buffer[0..<wanted]))
                offset += wanted
            }
        }
        return StoredMessage(size: total, sha256: whole.finalize().hexString)
    }

    public func message(_ id: QuarantineID) throws(QuarantineError) -> [UInt8] {
        try run("read the message of \(id)") {
            try pool.withConnection { connection in
                let entry = try connection.query("SELECT size FROM entry WHERE id = $1", [.text(id.rawValue)])
                guard entry.count == 1 else { throw QuarantineError(.fileMissing, "\(id) has no stored message") }
                let size = try entry.int(0, "size")
                var bytes: [UInt8] = []
                bytes.reserveCapacity(size)
                // One statement per chunk: each is answered within the timeout however large
                // the message, and libpq never holds more than one chunk.
                var number = 0
                while bytes.count < size {
                    // Each chunk is checked against its SHA-256 by the server as it is read;
                    // QuarantineStore then checks the whole message against the entry's.
                    let row = try connection.query(
                        """
                        SELECT (sha256 = encode(sha256(bytes), 'hex'))::text AS intact, bytes FROM chunk
                        WHERE entry_id = $1 AND number = $2
                        """, [.text(id.rawValue), .int(number)], binaryResults: true)
                    guard row.count == 1 else {
                        if number == 0 { throw QuarantineError(.fileMissing, "\(id) has no stored message") }
                        throw QuarantineError(.checksumMismatch, "\(id): chunk \(number) is missing")
                    }
                    let chunk = try row.bytes(0, "bytes") ?? []
                    guard !chunk.isEmpty, try row.string(0, "intact") == "true" else {
                        throw QuarantineError(.checksumMismatch, "\(id): chunk \(number) no longer matches its checksum")
                    }
                    bytes.append(contentsOf: chunk)
                    number += 1
                }
                guard bytes.count == size else {
                    throw QuarantineError(.checksumMismatch, "\(id): the stored chunks hold \(bytes.count) bytes, the entry says \(size)")
                }
                return bytes
            }
        }
    }

    public func transition(
        _ id: QuarantineID, to status: EntryStatus, from: Set<EntryStatus>, reason: String?, at: Date
    ) throws(QuarantineError) -> Bool {
        var parameters: [PostgresValue] = [.text(status.rawValue), .double(at.timeIntervalSince1970), .text(id.rawValue),
                                           .textArray(from.map(\.rawValue).sorted())]
        var reasonColumn = ""
        if let reason {
            parameters.append(Self.text(reason))
            reasonColumn = ", status_reason = $5"
        }
        let sql = "UPDATE entry SET status = $1, status_changed_at = $2\(reasonColumn) WHERE id = $3 AND status = ANY($4::text[])"
        return try run("\(id) to \(status.rawValue)") {
            try pool.withConnection { try $0.query(sql, parameters).affectedRows == 1 }
        }
    }

    public func note(_ id: QuarantineID, reason: String, whileStatus status: EntryStatus) throws(QuarantineError) {
        try run("note on \(id)") {
            try pool.withConnection {
                try $0.query("UPDATE entry SET status_reason = $1 WHERE id = $2 AND status = $3", [Self.text(reason), .text(id.rawValue), .text(status.rawValue)])
            }
        }
    }

    public func finishRelease(
        _ id: QuarantineID, record: ReleaseRecord, status: EntryStatus, reason: String
    ) throws(QuarantineError) -> Bool {
        try run("record release of \(id)") {
            try pool.transaction { connection in
                let changed = try connection.query(
                    "UPDATE entry SET status = $1, status_reason = $2, status_changed_at = $3 WHERE id = $4 AND status = 'releasing'",
                    [.text(status.rawValue), Self.text(reason), .double(record.at.timeIntervalSince1970), .text(id.rawValue)])
                guard changed.affectedRows == 1 else { return false }
                try Self.insertRelease(connection, id: id, record: record)
                return true
            }
        }
    }

    static func insertRelease(_ connection: PostgresConnection, id: QuarantineID, record: ReleaseRecord) throws {
        try connection.query(
            """
            INSERT INTO release (entry_id, released_at, released_by, recipients, relay, reply, delivered)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [.text(id.rawValue), .double(record.at.timeIntervalSince1970), text(record.by), text(record.recipients.joined(separator: "\n")),
             text(record.relay), text(record.reply), .bool(record.delivered)])
    }

    public func removeMessage(_ id: QuarantineID) throws(QuarantineError) {
        try run("remove the message of \(id)") {
            try pool.withConnection { try $0.query("DELETE FROM chunk WHERE entry_id = $1", [.text(id.rawValue)]) }
        }
    }

    public func removeEntry(_ id: QuarantineID) throws(QuarantineError) {
        try run("remove \(id)") {
            try pool.withConnection { try $0.query("DELETE FROM entry WHERE id = $1", [.text(id.rawValue)]) }
        }
    }

    /// The advisory lock key of the maintenance lock: one number every host agrees on
    /// (the first eight bytes of SHA-256("scanmilter quarantine maintenance")).
    static let maintenanceLockKey: Int = {
        let digest = SHA256.hex(Array("scanmilter quarantine maintenance".utf8))
        return Int(truncatingIfNeeded: UInt64(digest.prefix(16), radix: 16) ?? 1)
    }()

    /// A session advisory lock (`pg_try_advisory_lock`) on a connection held for the whole
    /// run; the server releases it by itself if this process dies.
    public func withMaintenanceLock<T>(_ body: () throws(QuarantineError) -> T) throws(QuarantineError) -> T? {
        try run("maintenance lock") {
            try pool.withConnection { connection -> T? in
                let key: [PostgresValue] = [.int(Self.maintenanceLockKey)]
                guard try connection.query("SELECT pg_try_advisory_lock($1::bigint) AS locked", key).bool(0, "locked") else { return nil }
                defer { _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", key) }
                return try body()
            }
        }
    }

    public func appendAudit(_ record: AuditRecord) throws(QuarantineError) {
        try run("audit") {
            try pool.withConnection {
                try $0.query(
                    "INSERT INTO audit (at, actor, action, entry_id, origin, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                    [.double(record.at.timeIntervalSince1970), Self.text(record.actor), Self.text(record.action),
                     record.entryID.map { .text($0.rawValue) } ?? .null, Self.text(record.origin), Self.text(record.detail)])
            }
        }
    }

    /// Text for a parameter. PostgreSQL text cannot hold NUL, and a message whose subject or
    /// address carries one must still be quarantined rather than temp-failed forever: NUL is
    /// stored as U+2400 (SYMBOL FOR NULL, `␀`), visibly, and the same applies to searches.
    static func text(_ value: String) -> PostgresValue {
        value.utf8.contains(0) ? .text(value.replacingOccurrences(of: "\u{0}", with: "\u{2400}")) : .text(value)
    }

    /// Runs `body`, turning every failure into a ``QuarantineError`` that says what failed.
    @discardableResult
    func run<T>(_ what: String, _ body: () throws -> T) throws(QuarantineError) -> T {
        do {
            return try body()
        } catch {
            throw Self.failure(error, what, location: location)
        }
    }

    /// The quarantine error for a database failure: the server unreachable, a timeout, a lost
    /// connection or a refused login are `.unavailable` (the daemon temp-fails); a full disk is
    /// `.diskFull`; a missing table is `.schemaMismatch`; the rest `.index`.
    static func failure(_ error: any Error, _ what: String, location: String) -> QuarantineError {
        if let error = error as? QuarantineError { return error }
        guard let error = error as? PostgresError else { return QuarantineError(.index, "\(location): \(what): \(error)") }
        let text = "\(location): \(what): \(error)"
        if error.isConnectionFailure || error.code == .authentication || error.sqlState == "57014" || error.sqlState?.hasPrefix("53") == true && error.sqlState != "53100" {
            return QuarantineError(.unavailable, text)
        }
        switch error.sqlState {
        case "53100": return QuarantineError(.diskFull, text)
        case "40001", "40P01", "55P03": return QuarantineError(.indexBusy, text)
        case "42P01", "42703": return QuarantineError(.schemaMismatch, text + "; run: scanmilterctl quarantine init --config FILE")
        default: break
        }
        if error.code == .invalidParameter { return QuarantineError(.invalidArgument, text) }
        return QuarantineError(.index, text)
    }
}
