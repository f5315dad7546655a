import Foundation
import Postgres
public import Quarantine

extension PostgresQuarantineBackend {
    /// What importing one entry did.
    public enum ImportOutcome: String, Sendable, Codable {
        /// Copied, with its message, checksums verified.
        case copied
        /// Already here with the same checksum (an earlier, perhaps interrupted, run copied it).
        case present
    }

    /// Copies one entry of another store as it is — id, status, reason, host, release history —
    /// with `message` (nil for hold entries and deleted ones), in one transaction. Idempotent:
    /// an entry already here with the same SHA-256 is left alone, one with another is an error.
    /// The stored message's SHA-256 must equal the entry's, or nothing is kept.
    public func importEntry(_ entry: QuarantineEntry, message: [UInt8]?) throws(QuarantineError) -> ImportOutcome {
        try run("import \(entry.id)") {
            try pool.transaction { connection in
                let existing = try connection.query("SELECT sha256 FROM entry WHERE id = $1 FOR UPDATE", [.text(entry.id.rawValue)])
                if existing.count == 1 {
                    let sha256 = try existing.string(0, "sha256")
                    guard sha256 == entry.sha256 else {
                        throw QuarantineError(.checksumMismatch, "\(entry.id) is already in the database with another checksum (\(sha256))")
                    }
                    return .present
                }
                let newEntry = NewEntry(
                    receivedAt: entry.receivedAt, queueID: entry.queueID, clientAddress: entry.clientAddress, clientHelo: entry.clientHelo,
                    sender: entry.sender, recipients: entry.recipients, subject: entry.subject, verdict: entry.verdict,
                    findings: entry.findings, signatureVersion: entry.signatureVersion, host: entry.host)
                try Self.insertRows(
                    connection, id: entry.id, entry: newEntry, action: entry.action, size: entry.size, sha256: entry.sha256,
                    status: entry.status, statusReason: entry.statusReason, statusChangedAt: entry.statusChangedAt,
                    postfixConfigDirectory: entry.postfixConfigDirectory)
                if let message {
                    let stored = try Self.writeChunks(connection, id: entry.id, message: .bytes(message))
                    guard stored.sha256 == entry.sha256, stored.size == entry.size else {
                        throw QuarantineError(.checksumMismatch, "\(entry.id): the copied message (\(stored.sha256)) does not match the entry's checksum \(entry.sha256)")
                    }
                }
                for record in entry.releases { try Self.insertRelease(connection, id: entry.id, record: record) }
                return .copied
            }
        }
    }
}
