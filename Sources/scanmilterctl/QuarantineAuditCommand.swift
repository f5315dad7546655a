import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine audit`: who released, deleted or purged what, when, from where and why.
struct QuarantineAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log of releases, deletions and purges, newest first.",
        discussion: "Every action from scanmilterctl and the web console is recorded in the store. --json prints an array."
    )

    @OptionGroup var options: QuarantineOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Only records about this entry.")
    var id: String?

    @Option(help: "Only records by this user.")
    var user: String?

    @Option(help: "Only records since a duration ago (90m, 12h, 7d) or a date (2026-11-25).")
    var since: String?

    @Option(help: "At most this many records.")
    var limit = 100

    func validate() throws {
        if let id { _ = try QuarantineIDs.parse([id]) }
        _ = try QuarantineTime.since(since)
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let query = AuditQuery(
            entryID: try id.map { try QuarantineIDs.parse([$0])[0] }, actor: user, since: try QuarantineTime.since(since),
            limit: limit)
        let records = try options.query { try $0.audit(query) }
        if json {
            try QuarantineOutput.json(records)
            return
        }
        var rows = [["TIME", "USER", "ACTION", "ID", "FROM", "DETAIL"]]
        for record in records {
            rows.append([
                QuarantineOutput.time(record.at), record.actor, record.action, record.entryID?.rawValue ?? "-", record.origin,
                QuarantineOutput.cut(record.detail, 60),
            ])
        }
        QuarantineOutput.table(rows)
    }
}
