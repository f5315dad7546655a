import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine stats`: counts over the whole store.
struct QuarantineStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count entries by status, action and finding.")

    @OptionGroup var options: QuarantineOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let stats = try options.query { try $0.stats() }
        if json {
            try QuarantineOutput.json(stats)
            return
        }
        var rows: [[String]] = [["entries:", "\(stats.entries)"]]
        for status in EntryStatus.allCases { rows.append(["\(status.rawValue):", "\(stats.byStatus[status.rawValue] ?? 0)"]) }
        for action in QuarantineAction.allCases { rows.append(["action \(action.rawValue):", "\(stats.byAction[action.rawValue] ?? 0)"]) }
        rows.append(["stored:", QuarantineOutput.size(stats.bytes)])
        rows.append(["oldest:", stats.oldest.map(QuarantineOutput.time) ?? "-"])
        rows.append(["newest:", stats.newest.map(QuarantineOutput.time) ?? "-"])
        for finding in stats.topFindings { rows.append(["finding:", "\(finding.count)  \(finding.name)"]) }
        QuarantineOutput.table(rows)
    }
}
