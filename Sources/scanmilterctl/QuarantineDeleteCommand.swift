import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine delete`: delete held or released messages; their rows stay as a record.
struct QuarantineDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete messages (hold-queue entries: postsuper -d); the entries stay listed as deleted until purged."
    )

    @OptionGroup var options: QuarantineOptions

    @OptionGroup var targets: QuarantineTargets

    @Option(help: "Why, for the audit log.")
    var reason = ""

    /// One id's result, as `--json` prints it; every key is always present.
    struct Result: PerIDResult {
        var id: String
        var deleted: Bool
        var reason = ""
        var exitCode: Int32

        enum CodingKeys: String, CodingKey {
            case id, deleted, reason
            case exitCode = "exit_code"
        }
    }

    func run() throws {
        let store = try options.openStore()
        var results: [Result] = []
        for id in try targets.parsed() {
            do {
                try store.delete(id, by: LoginName.current, reason: reason)
                results.append(Result(id: id.rawValue, deleted: true, exitCode: 0))
                if !targets.json { QuarantineOutput.line("\(id): deleted") }
            } catch {
                results.append(Result(id: id.rawValue, deleted: false, reason: error.message, exitCode: SysExit(error).rawValue))
                if !targets.json { QuarantineOutput.error("\(id): \(error.message)") }
            }
        }
        try QuarantineOutput.finish(results, json: targets.json)
    }
}
