import MilterProtocol
import Foundation
internal import GRDB
import Checksum

extension QuarantineStore {
    /// Releases one held entry: re-scans it with `rescan` (nil from the closure: no scanner, go
    /// on), claims it (`held` → `releasing` in one conditional UPDATE, so of two concurrent
    /// releases exactly one goes on), re-injects it over SMTP, and records the relay's reply.
    /// A refusing relay puts it back to `held` with the reason.
    ///
    /// Hold-queue entries are released with `postsuper -H` instead and cannot be re-scanned
    /// (the message is in Postfix's queue) or redirected with `recipients`.
    public func release(
        _ id: QuarantineID, options: ReleaseOptions, rescan: ([UInt8]) -> RescanResult?
    ) throws(QuarantineError) -> ReleaseOutcome {
        let entry = try entry(id)
        guard entry.status == .held else {
            throw QuarantineError(.notHeld, "\(id) is \(entry.status.rawValue), not held" + (entry.statusReason.isEmpty ? "" : " (\(entry.statusReason))"))
        }
        if entry.action == .hold { return try releaseHold(entry, options: options) }
        guard let relay = RelayAddress(options.relay) else {
            throw QuarantineError(.invalidArgument, "release relay '\(options.relay)' is not HOST:PORT")
        }
        let recipients = try Self.recipients(of: entry, override: options.recipients)
        let message = try MessageFile.read(messagePath(id))
        if !entry.sha256.isEmpty && SHA256.hex(message) != entry.sha256 && !options.force {
            let reason = "message file no longer matches its checksum \(entry.sha256)"
            return options.dryRun ? .keptHeld(reason: reason) : try keepHeld(id, reason: reason)
        }
        let verdict = rescan(message)
        if options.dryRun {
            return .wouldRelease(recipients: recipients.map(\.address), relay: relay.description, rescan: verdict)
        }
        if let reason = verdict?.holdReason, !options.force {
            return try keepHeld(id, reason: reason)
        }
        try claim(id)
        let client = SMTPClient(relay: relay, heloName: options.heloName ?? SMTPClient.localHostName(), timeout: options.timeout)
        let delivery: Result<SMTPReply, SMTPFailure>
        do {
            delivery = .success(try client.deliver(message: message, sender: entry.sender, recipients: recipients))
        } catch {
            delivery = .failure(error)
        }
        let addresses = recipients.map(\.address)
        switch delivery {
        case .success(let reply):
            let record = ReleaseRecord(at: Date(), by: options.releasedBy, recipients: addresses, relay: relay.description, reply: reply.description, delivered: true)
            try finish(id, record: record, status: .released, reason: "released by \(options.releasedBy)")
            logger.notice("quarantine entry released", metadata: ["quarantine.id": "\(id)", "user": "\(options.releasedBy)", "smtp.reply": "\(reply)"])
            return .released(record)
        case .failure(let failure):
            let record = ReleaseRecord(at: Date(), by: options.releasedBy, recipients: addresses, relay: relay.description, reply: failure.description, delivered: false)
            try finish(id, record: record, status: .held, reason: failure.description)
            logger.warning("quarantine release refused", metadata: ["quarantine.id": "\(id)", "error": "\(failure)"])
            return .refused(reason: failure.description, record: record)
        }
    }

    private func releaseHold(_ entry: QuarantineEntry, options: ReleaseOptions) throws(QuarantineError) -> ReleaseOutcome {
        guard options.recipients == nil else {
            throw QuarantineError(.invalidArgument, "\(entry.id) is in Postfix's hold queue (queue id \(entry.queueID)); --to cannot redirect it")
        }
        let arguments = ["-H", entry.queueID]
        if options.dryRun {
            return .wouldRelease(recipients: entry.recipients.map(\.address), relay: "postsuper " + arguments.joined(separator: " "), rescan: nil)
        }
        try claim(entry.id)
        let result = PostSuper(path: postsuperPath).run(arguments, configDirectory: entry.postfixConfigDirectory)
        let record = ReleaseRecord(at: Date(), by: options.releasedBy, recipients: entry.recipients.map(\.address), relay: "postsuper", reply: result.output, delivered: result.succeeded)
        if result.succeeded {
            try finish(entry.id, record: record, status: .released, reason: "released by \(options.releasedBy)")
            logger.notice("hold queue entry released", metadata: ["quarantine.id": "\(entry.id)", "mail.queue_id": "\(entry.queueID)"])
            return .released(record)
        }
        let reason = "postsuper -H \(entry.queueID) failed: \(result.output)"
        try finish(entry.id, record: record, status: .held, reason: reason)
        return .refused(reason: reason, record: record)
    }

    /// The envelope recipients, or the `--to` addresses (which must look like addresses).
    static func recipients(of entry: QuarantineEntry, override: [String]?) throws(QuarantineError) -> [EnvelopeAddress] {
        guard let override else {
            guard !entry.recipients.isEmpty else {
                throw QuarantineError(.invalidArgument, "\(entry.id) has no envelope recipients; give --to")
            }
            return entry.recipients
        }
        guard !override.isEmpty else { throw QuarantineError(.invalidArgument, "no recipients given") }
        for address in override where !isPlausibleAddress(address) {
            throw QuarantineError(.invalidArgument, "'\(address)' is not an address")
        }
        return override.map { EnvelopeAddress($0) }
    }

    /// No spaces, brackets or control characters: the text goes into `RCPT TO:<...>` verbatim.
    static func isPlausibleAddress(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 320 && text.contains("@")
            && !text.utf8.contains { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
    }

    /// `held` → `releasing`, or `.notHeld` when another release (or a delete) got there first.
    private func claim(_ id: QuarantineID) throws(QuarantineError) {
        let claimed = try write("claim \(id)") { db in
            try db.execute(
                sql: "UPDATE entry SET status = 'releasing', status_changed_at = ? WHERE id = ? AND status = 'held'",
                arguments: [Date().timeIntervalSince1970, id.rawValue])
            return db.changesCount
        }
        guard claimed == 1 else {
            let now = (try? entry(id).status.rawValue) ?? "gone"
            throw QuarantineError(.notHeld, "\(id) is \(now), not held: another release or delete got there first")
        }
    }

    /// Records the attempt and moves `releasing` to `status`.
    private func finish(_ id: QuarantineID, record: ReleaseRecord, status: EntryStatus, reason: String) throws(QuarantineError) {
        do {
            try write("record release of \(id)") { db in
                try db.execute(
                    sql: "UPDATE entry SET status = ?, status_reason = ?, status_changed_at = ? WHERE id = ? AND status = 'releasing'",
                    arguments: [status.rawValue, reason, record.at.timeIntervalSince1970, id.rawValue])
                try db.execute(
                    sql: """
                        INSERT INTO release (entry_id, released_at, released_by, recipients, relay, reply, delivered)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id.rawValue, record.at.timeIntervalSince1970, record.by, record.recipients.joined(separator: "\n"), record.relay, record.reply, record.delivered])
            }
        } catch {
            guard record.delivered else { throw error }
            // Delivered, so it must not go back to held: it would be delivered twice.
            throw QuarantineError(.unrecorded, "\(id) was delivered (\(record.reply)) but the index could not record it: \(error.message); it stays 'releasing'")
        }
    }

    /// Leaves a held entry held, with `reason` as its status reason.
    private func keepHeld(_ id: QuarantineID, reason: String) throws(QuarantineError) -> ReleaseOutcome {
        try write("note on \(id)") { db in
            try db.execute(sql: "UPDATE entry SET status_reason = ? WHERE id = ? AND status = 'held'", arguments: [reason, id.rawValue])
        }
        logger.notice("quarantine release withheld", metadata: ["quarantine.id": "\(id)", "quarantine.reason": "\(reason)"])
        return .keptHeld(reason: reason)
    }
}
