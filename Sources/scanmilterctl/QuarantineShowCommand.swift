import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine show`: one entry in full, or its message's headers or raw bytes.
struct QuarantineShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one entry: why it is held and its release history, or its message."
    )

    @OptionGroup var options: QuarantineOptions

    @Argument(help: "The entry's id.")
    var id: String

    @Flag(help: "Print the message's header block.")
    var headers = false

    @Flag(help: "Print the whole message as stored.")
    var raw = false

    @Flag(help: "Print the entry as JSON.")
    var json = false

    func validate() throws {
        _ = try QuarantineIDs.parse([id])
        if [headers, raw, json].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --headers, --raw, --json")
        }
    }

    func run() throws {
        let id = try QuarantineIDs.parse([id])[0]
        let (entry, store) = try options.query { store in (try store.entry(id), store) }
        if json {
            try QuarantineOutput.json(entry)
        } else if headers || raw {
            try printMessage(of: entry, store: store)
        } else {
            describe(entry)
        }
    }

    private func printMessage(of entry: QuarantineEntry, store: QuarantineStore) throws {
        let data: [UInt8]
        do {
            data = try store.message(entry.id)
        } catch {
            throw QuarantineOutput.fail(error)
        }
        FileHandle.standardOutput.write(Data(raw ? data[...] : MessageHeaders.block(of: data)))
    }

    private func describe(_ entry: QuarantineEntry) {
        var rows: [[String]] = [
            ["id:", entry.id.rawValue],
            ["received:", QuarantineOutput.time(entry.receivedAt)],
            ["status:", entry.status.rawValue + (entry.statusReason.isEmpty ? "" : " (\(entry.statusReason))")],
            ["action:", entry.action.rawValue + (entry.action == .hold ? " (Postfix hold queue)" : "")],
            ["queue id:", entry.queueID],
            ["client:", "\(entry.clientAddress) helo=\(entry.clientHelo)"],
            ["host:", entry.host.isEmpty ? "-" : entry.host],
            ["sender:", Self.address(entry.sender)],
        ]
        for recipient in entry.recipients { rows.append(["recipient:", Self.address(recipient)]) }
        rows += [
            ["subject:", entry.subject],
            ["size:", "\(entry.size) bytes"],
            ["sha256:", entry.sha256.isEmpty ? "-" : entry.sha256],
            ["verdict:", entry.verdict],
            ["findings:", entry.findings.joined(separator: ", ")],
            ["signatures:", entry.signatureVersion],
        ]
        for release in entry.releases {
            let outcome = release.delivered ? "delivered" : "refused"
            rows.append(["release:", "\(QuarantineOutput.time(release.at)) by \(release.by) to \(release.recipients.joined(separator: ", ")) via \(release.relay): \(outcome): \(release.reply)"])
        }
        QuarantineOutput.table(rows)
    }

    private static func address(_ address: EnvelopeAddress) -> String {
        (["<\(address.address)>"] + address.parameters).joined(separator: " ")
    }
}
