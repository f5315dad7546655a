public import Foundation
internal import GRDB
import Checksum

/// What `verify` found, and whether it mended it.
public struct VerifyReport: Sendable, Codable, Equatable {
    /// Entries that should have a message file and have none (repair: marked `deleted`).
    public var missingFiles: [QuarantineID]
    /// Message files with no row (repair: a row is rebuilt from the file, held, envelope unknown).
    public var orphanFiles: [String]
    /// Files of deleted entries and temporary files older than an hour (repair: removed).
    public var leftoverFiles: [String]
    /// Entries whose file no longer matches its SHA-256 (reported only; release refuses them without --force).
    public var checksumMismatches: [QuarantineID]
    /// Entries `releasing` for over an hour: a release died midway (repair: back to held, with a warning).
    public var interruptedReleases: [QuarantineID]
    /// Whether the problems were mended.
    public var repaired: Bool

    /// Whether nothing is wrong.
    /// A report; `repaired` says whether `verify` mended what it lists.
    public init(
        missingFiles: [QuarantineID] = [], orphanFiles: [String] = [], leftoverFiles: [String] = [], checksumMismatches: [QuarantineID] = [],
        interruptedReleases: [QuarantineID] = [], repaired: Bool
    ) {
        self.missingFiles = missingFiles
        self.orphanFiles = orphanFiles
        self.leftoverFiles = leftoverFiles
        self.checksumMismatches = checksumMismatches
        self.interruptedReleases = interruptedReleases
        self.repaired = repaired
    }

    public var isClean: Bool {
        missingFiles.isEmpty && orphanFiles.isEmpty && leftoverFiles.isEmpty && checksumMismatches.isEmpty && interruptedReleases.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case missingFiles = "missing_files"
        case orphanFiles = "orphan_files"
        case leftoverFiles = "leftover_files"
        case checksumMismatches = "checksum_mismatches"
        case interruptedReleases = "interrupted_releases"
        case repaired
    }
}

extension LocalQuarantineBackend {
    /// Files and work in progress younger than this are left alone: the daemon may be writing them.
    static let settleTime: Double = 3600

    /// Compares the index with the directory; with `repair`, mends what it finds.
    public func verify(repair: Bool, now: Date) throws(QuarantineError) -> VerifyReport {
        var report = VerifyReport(missingFiles: [], orphanFiles: [], leftoverFiles: [], checksumMismatches: [], interruptedReleases: [], repaired: repair)
        let rows = try read("verify") { db in
            try Row.fetchAll(db, sql: "SELECT id, action, status, sha256, status_changed_at FROM entry").map { row in
                (try row.decode(String.self, forColumn: "id"), try row.decode(String.self, forColumn: "action"),
                 try row.decode(String.self, forColumn: "status"), try row.decode(String.self, forColumn: "sha256"),
                 try row.decode(Double.self, forColumn: "status_changed_at"))
            }
        }
        var statusByID: [String: String] = [:]
        for (idText, action, status, sha256, changedAt) in rows {
            statusByID[idText] = status
            guard let id = QuarantineID(idText), action == QuarantineAction.quarantine.rawValue else { continue }
            if status == EntryStatus.releasing.rawValue && now.timeIntervalSince1970 - changedAt > Self.settleTime {
                report.interruptedReleases.append(id)
            }
            guard status != EntryStatus.deleted.rawValue else { continue }
            guard MessageFile.exists(messagePath(id)) else {
                report.missingFiles.append(id)
                continue
            }
            if let bytes = try? MessageFile.read(messagePath(id)), SHA256.hex(bytes) != sha256 {
                report.checksumMismatches.append(id)
            }
        }
        for name in try MessageFile.names(in: directory).sorted() {
            if name.hasSuffix(".eml"), let id = QuarantineID(String(name.dropLast(4))) {
                if let status = statusByID[id.rawValue] {
                    if status == EntryStatus.deleted.rawValue { report.leftoverFiles.append(name) }
                } else if isSettled(name, now: now) {
                    report.orphanFiles.append(name)
                }
            } else if name.hasPrefix("."), name.hasSuffix(".tmp"), isSettled(name, now: now) {
                report.leftoverFiles.append(name)
            }
        }
        if repair { try mend(report, now: now) }
        return report
    }

    private func isSettled(_ name: String, now: Date) -> Bool {
        guard let attributes = MessageFile.attributes(directory + "/" + name) else { return false }
        return now.timeIntervalSince1970 - attributes.modified > Self.settleTime
    }

    private func mend(_ report: VerifyReport, now: Date) throws(QuarantineError) {
        for id in report.missingFiles {
            _ = try transition(id, to: .deleted, from: [.held, .released], reason: "message file missing (found by verify)", at: now)
            logger.warning("quarantine entry without file marked deleted", metadata: ["quarantine.id": "\(id)"])
        }
        for id in report.interruptedReleases {
            _ = try transition(
                id, to: .held, from: [.releasing],
                reason: "a release was interrupted and may have been delivered: check the relay log before releasing again", at: now)
            logger.warning("interrupted quarantine release reset to held", metadata: ["quarantine.id": "\(id)"])
        }
        for name in report.leftoverFiles {
            try MessageFile.remove(directory + "/" + name)
        }
        for name in report.orphanFiles {
            guard let id = QuarantineID(String(name.dropLast(4))) else { continue }
            try recover(id, now: now)
        }
        try MessageFile.syncDirectory(directory)
    }

    /// Rebuilds a row from a message file alone: held, envelope unknown (release needs --to).
    private func recover(_ id: QuarantineID, now: Date) throws(QuarantineError) {
        let path = messagePath(id)
        let message = try MessageFile.read(path)
        let received = MessageFile.attributes(path).map { Date(timeIntervalSince1970: $0.modified) } ?? now
        let returnPath = MessageHeaders.value(of: "Return-Path", in: message)?.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
        let entry = NewEntry(
            receivedAt: received,
            sender: EnvelopeAddress(returnPath ?? ""),
            recipients: [],
            subject: MessageHeaders.value(of: "Subject", in: message) ?? "",
            verdict: "recovered")
        // Child rows left by a hand-made DELETE (sqlite3 has foreign keys off) would collide.
        try write("clear \(id)") { db in
            for table in ["recipient", "finding", "release"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE entry_id = ?", arguments: [id.rawValue])
            }
        }
        try insertRow(id: id, entry: entry, action: .quarantine, size: message.count, sha256: SHA256.hex(message), postfixConfigDirectory: nil)
        try write("note on \(id)") { db in
            try db.execute(sql: "UPDATE entry SET status_reason = ? WHERE id = ?", arguments: ["rebuilt by verify from the file alone: envelope unknown, release with --to", id.rawValue])
        }
        logger.warning("quarantine file without row recovered", metadata: ["quarantine.id": "\(id)"])
    }
}
