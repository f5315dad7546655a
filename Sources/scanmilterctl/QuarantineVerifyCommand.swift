import ArgumentParser
import Foundation
import Quarantine

/// `scanmilterctl quarantine verify`: compare the index with the files, and mend with --repair.
struct QuarantineVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Find index rows without files and files without rows; --repair mends them.",
        discussion: """
            Exit 0 when the store is consistent (or was repaired), 65 when problems remain. \
            --repair marks entries whose file is gone as deleted, rebuilds rows for files \
            without one (held, envelope unknown: release them with --to), removes leftover \
            files, and puts releases interrupted over an hour ago back to held.
            """
    )

    @OptionGroup var options: QuarantineOptions

    @Flag(help: "Mend what is found.")
    var repair = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let report = try options.query { try $0.verify(repair: repair) }
        if json {
            try QuarantineOutput.json(report)
        } else {
            for id in report.missingFiles { QuarantineOutput.line("missing file: \(id)") }
            for name in report.orphanFiles { QuarantineOutput.line("file without entry: \(name)") }
            for name in report.leftoverFiles { QuarantineOutput.line("leftover file: \(name)") }
            for id in report.checksumMismatches { QuarantineOutput.line("checksum mismatch: \(id)") }
            for id in report.interruptedReleases { QuarantineOutput.line("interrupted release: \(id)") }
            QuarantineOutput.line(report.isClean ? "ok" : (repair ? "repaired" : "problems found; --repair mends them"))
        }
        // A checksum mismatch cannot be mended; everything else can.
        let remaining = repair ? !report.checksumMismatches.isEmpty : !report.isClean
        if remaining { throw CLIFailure(reported: .dataError) }
    }
}
