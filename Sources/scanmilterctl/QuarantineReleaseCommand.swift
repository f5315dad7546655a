import ArgumentParser
import ScanmilterConfiguration
import Foundation
import Quarantine

/// `scanmilterctl quarantine release`: re-inject held messages over SMTP, exactly once each.
struct QuarantineReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release held messages to [quarantine] release_relay.",
        discussion: """
            Each message is re-scanned first; one now found infected or banned stays held unless \
            --force. It goes to its original recipients, or to the --to addresses. A relay that \
            refuses leaves it held with the reason (exit 75). Hold-queue entries are released \
            with postsuper -H.
            """
    )

    @OptionGroup var options: QuarantineOptions

    @OptionGroup var targets: QuarantineTargets

    @Option(name: .customLong("to"), help: "Send to this address instead of the original recipients (repeatable).")
    var recipients: [String] = []

    @Flag(help: "Say what would be done; send nothing.")
    var dryRun = false

    @Flag(help: "Release even when the rescan finds something (give --reason).")
    var force = false

    @Option(help: "Why, for the audit log (expected with --force).")
    var reason = ""

    /// One id's result, as `--json` prints it; every key is always present.
    struct Result: PerIDResult {
        var id: String
        /// `released`, `would_release`, `kept_held`, `refused` or `error`.
        var result: String
        var recipients: [String] = []
        var relay = ""
        var reply = ""
        var reason = ""
        /// What the rescan said (`clean`, `infected: X`), or why there was none.
        var rescan = ""
        var exitCode: Int32

        enum CodingKeys: String, CodingKey {
            case id, result, recipients, relay, reply, reason, rescan
            case exitCode = "exit_code"
        }
    }

    func run() throws {
        let configuration = try options.loadConfiguration()
        let relay = configuration.quarantine.releaseRelay
        guard RelayAddress(relay) != nil else {
            throw CLIFailure("[quarantine] release_relay '\(relay)' in \(options.config) is not HOST:PORT", code: .config)
        }
        let store = try options.openStore()
        let rescan = QuarantineRescan.make(configuration: configuration)
        let noRescan = "not rescanned: no scanner configured"
        let releaseOptions = ReleaseOptions(
            relay: relay, recipients: recipients.isEmpty ? nil : recipients, releasedBy: LoginName.current,
            force: force, dryRun: dryRun, reason: reason)
        var results: [Result] = []
        for id in try targets.parsed() {
            var result = Result(id: id.rawValue, result: "error", exitCode: 0)
            do {
                let outcome = try store.release(id, options: releaseOptions) { bytes in rescan?(bytes) }
                describe(outcome, into: &result)
                if rescan == nil { result.rescan = noRescan }
            } catch {
                result.reason = error.message
                result.exitCode = SysExit(error).rawValue
            }
            results.append(result)
            if !targets.json { printLine(result) }
        }
        try QuarantineOutput.finish(results, json: targets.json)
    }

    private func describe(_ outcome: ReleaseOutcome, into result: inout Result) {
        switch outcome {
        case .released(let record):
            result.result = "released"
            result.recipients = record.recipients
            result.relay = record.relay
            result.reply = record.reply
        case .wouldRelease(let recipients, let relay, let verdict):
            result.result = "would_release"
            result.recipients = recipients
            result.relay = relay
            result.rescan = Self.text(verdict)
        case .keptHeld(let reason):
            result.result = "kept_held"
            result.reason = reason
            result.exitCode = SysExit.dataError.rawValue
        case .refused(let reason, let record):
            result.result = "refused"
            result.recipients = record.recipients
            result.relay = record.relay
            result.reason = reason
            result.exitCode = SysExit.tempFail.rawValue
        }
    }

    private static func text(_ verdict: RescanResult?) -> String {
        switch verdict {
        case nil: return "not rescanned"
        case .clean: return "clean"
        case .infected(let names): return "infected: " + names.joined(separator: ", ")
        case .banned(let rules): return "banned: " + rules.joined(separator: ", ")
        case .unscannable(let reason): return "unscannable: " + reason
        }
    }

    private func printLine(_ result: Result) {
        let to = result.recipients.joined(separator: ", ")
        let rescan = result.rescan.isEmpty ? "" : "; rescan: \(result.rescan)"
        switch result.result {
        case "released":
            QuarantineOutput.line("\(result.id): released to \(to) via \(result.relay): \(result.reply)\(rescan)")
        case "would_release":
            QuarantineOutput.line("\(result.id): would release to \(to) via \(result.relay)\(rescan)")
        case "kept_held":
            QuarantineOutput.error("\(result.id): still held: \(result.reason) (--force releases it anyway)")
        case "refused":
            QuarantineOutput.error("\(result.id): still held: \(result.reason)")
        default:
            QuarantineOutput.error("\(result.id): \(result.reason)")
        }
    }
}
