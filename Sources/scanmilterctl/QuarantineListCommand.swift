import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine list`: entries that match every filter given, oldest first.
struct QuarantineListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List quarantine entries, oldest first.",
        discussion: "Text filters match a substring, case-insensitively. --json prints an array of entries."
    )

    @OptionGroup var options: QuarantineOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Only entries since a duration ago (90m, 12h, 7d, 2w) or a date (2026-11-25, 2026-11-25T10:00:00Z).")
    var since: String?

    @Option(help: "Only entries whose envelope sender contains this.")
    var sender: String?

    @Option(help: "Only entries with a recipient that contains this.")
    var recipient: String?

    @Option(help: "Only entries with a virus or banned rule name that contains this.")
    var virus: String?

    @Option(help: "Only entries whose Subject contains this.")
    var subject: String?

    @Option(help: "Only entries quarantined by this mail host (as `show` prints it).")
    var host: String?

    @Option(help: "Only entries with this status (held, releasing, released, deleted).")
    var status: StatusArgument?

    func validate() throws {
        _ = try QuarantineTime.since(since)
    }

    func run() throws {
        let store = try options.openStore()
        let filter = QuarantineFilter(
            since: try QuarantineTime.since(since), sender: sender, recipient: recipient, subject: subject, finding: virus,
            host: host, status: status?.status)
        let entries: [QuarantineEntry]
        do {
            entries = try store.list(filter)
        } catch {
            throw QuarantineOutput.fail(error)
        }
        if json {
            try QuarantineOutput.json(entries)
            return
        }
        var rows = [["ID", "RECEIVED", "STATUS", "ACTION", "QUEUE ID", "SIZE", "SENDER", "RECIPIENTS", "FINDINGS", "SUBJECT"]]
        for entry in entries {
            let recipients = entry.recipients.first.map { $0.address + (entry.recipients.count > 1 ? " +\(entry.recipients.count - 1)" : "") } ?? "-"
            rows.append([
                entry.id.rawValue, QuarantineOutput.time(entry.receivedAt), entry.status.rawValue, entry.action.rawValue,
                entry.queueID.isEmpty ? "-" : entry.queueID, QuarantineOutput.size(entry.size),
                QuarantineOutput.cut(entry.sender.address.isEmpty ? "<>" : entry.sender.address, 40),
                QuarantineOutput.cut(recipients, 40), QuarantineOutput.cut(entry.findings.joined(separator: ","), 40),
                QuarantineOutput.cut(entry.subject, 50),
            ])
        }
        QuarantineOutput.table(rows)
    }
}
