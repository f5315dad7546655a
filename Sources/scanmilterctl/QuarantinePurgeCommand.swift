import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine purge`: remove old entries and their messages for good.
struct QuarantinePurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove entries older than a duration, with their messages, for good."
    )

    @OptionGroup var options: QuarantineOptions

    @Option(help: "Remove entries that arrived more than this long ago (90m, 12h, 7d, 2w).")
    var olderThan: String

    @Option(help: "Only entries with this status (held, released, deleted).")
    var status: StatusArgument?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard QuarantineTime.seconds(olderThan) != nil else {
            throw ValidationError("--older-than '\(olderThan)' is not a duration (90m, 12h, 7d, 2w)")
        }
    }

    /// What `--json` prints.
    struct Result: Encodable {
        var removed: [String]
        var bytes: Int
    }

    func run() throws {
        let cutoff = Date().addingTimeInterval(-(QuarantineTime.seconds(olderThan) ?? 0))
        let report = try options.query { try $0.purge(olderThan: cutoff, status: status?.status, by: QuarantineActor(name: LoginName.current, origin: QuarantineStore.cliOrigin)) }
        if json {
            try QuarantineOutput.json(Result(removed: report.removed.map(\.rawValue), bytes: report.bytes))
        } else {
            QuarantineOutput.line("purged \(report.removed.count) entries, \(QuarantineOutput.size(report.bytes))")
        }
    }
}
