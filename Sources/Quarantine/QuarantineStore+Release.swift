import MilterProtocol
import Foundation
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
        let message = try backend.message(id)
        let checksumProblem = !entry.sha256.isEmpty && SHA256.hex(message) != entry.sha256
        if checksumProblem && !options.force {
            let reason = "message file no longer matches its checksum \(entry.sha256)"
            return options.dryRun ? .keptHeld(reason: reason) : try keepHeld(id, reason: reason, options: options)
        }
        let verdict = rescan(message)
        if options.dryRun {
            return .wouldRelease(recipients: recipients.map(\.address), relay: relay.description, rescan: verdict)
        }
        let overridden = [verdict?.holdReason, checksumProblem ? "checksum mismatch" : nil].compactMap { $0 }
        if let reason = overridden.first, !options.force {
            return try keepHeld(id, reason: reason, options: options)
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
            audit(release: id, options: options, action: overridden.isEmpty ? "release" : "release-forced", detail: ([options.reason] + overridden).filter { !$0.isEmpty }.joined(separator: "; "))
            logger.notice("quarantine entry released", metadata: ["quarantine.id": "\(id)", "user": "\(options.releasedBy)", "smtp.reply": "\(reply)"])
            return .released(record)
        case .failure(let failure):
            let record = ReleaseRecord(at: Date(), by: options.releasedBy, recipients: addresses, relay: relay.description, reply: failure.description, delivered: false)
            try finish(id, record: record, status: .held, reason: failure.description)
            audit(release: id, options: options, action: "release-refused", detail: failure.description)
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
            audit(release: entry.id, options: options, action: "release", detail: options.reason)
            logger.notice("hold queue entry released", metadata: ["quarantine.id": "\(entry.id)", "mail.queue_id": "\(entry.queueID)"])
            return .released(record)
        }
        let reason = "postsuper -H \(entry.queueID) failed: \(result.output)"
        try finish(entry.id, record: record, status: .held, reason: reason)
        audit(release: entry.id, options: options, action: "release-refused", detail: reason)
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
        guard try backend.transition(id, to: .releasing, from: [.held], reason: nil, at: Date()) else {
            let now = (try? backend.entry(id))??.status.rawValue ?? "gone"
            throw QuarantineError(.notHeld, "\(id) is \(now), not held: another release or delete got there first")
        }
    }

    /// Records the attempt and moves `releasing` to `status`.
    private func finish(_ id: QuarantineID, record: ReleaseRecord, status: EntryStatus, reason: String) throws(QuarantineError) {
        let recorded: Bool
        do {
            recorded = try backend.finishRelease(id, record: record, status: status, reason: reason)
        } catch {
            guard record.delivered else { throw error }
            // Delivered, so it must not go back to held: it would be delivered twice.
            throw QuarantineError(.unrecorded, "\(id) was delivered (\(record.reply)) but the store could not record it: \(error.message); it stays 'releasing'")
        }
        guard recorded else {
            throw QuarantineError(.unrecorded, "\(id) was no longer 'releasing' when its release was recorded (\(record.reply)); check it with verify")
        }
    }

    /// Leaves a held entry held, with `reason` as its status reason.
    private func keepHeld(_ id: QuarantineID, reason: String, options: ReleaseOptions) throws(QuarantineError) -> ReleaseOutcome {
        try backend.note(id, reason: reason, whileStatus: .held)
        audit(release: id, options: options, action: "release-withheld", detail: reason)
        logger.notice("quarantine release withheld", metadata: ["quarantine.id": "\(id)", "quarantine.reason": "\(reason)"])
        return .keptHeld(reason: reason)
    }

    private func audit(release id: QuarantineID, options: ReleaseOptions, action: String, detail: String) {
        var detail = detail
        if let recipients = options.recipients { detail = "to \(recipients.joined(separator: ", "))" + (detail.isEmpty ? "" : "; " + detail) }
        audit(AuditRecord(actor: options.releasedBy, action: action, entryID: id, origin: options.origin, detail: detail))
    }
}
