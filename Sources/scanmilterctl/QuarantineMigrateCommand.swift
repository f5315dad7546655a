import ArgumentParser
import Foundation
import Quarantine
import QuarantinePostgres

/// `scanmilterctl quarantine migrate --to URI`: copy a local store into the shared store.
struct QuarantineMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the local store into a shared PostgreSQL store.",
        discussion: """
            Copies every entry of the local store ([quarantine] dir, or --dir; never [quarantine] store) into the database \
            --to names — id, status, host, release history and message — one transaction per \
            entry, each message checked against its SHA-256 on reading and on writing. Entries \
            already copied are skipped, so an interrupted run is resumed by running it again. \
            The local store is left as it was: delete it yourself once the copy is checked. The \
            password comes from [quarantine] password_file or libpq (PGPASSWORD, PGPASSFILE). \
            The database needs the schema first (scanmilterctl quarantine init). \
            Exit 0 all copied; 65 an entry could not be copied (the others were); 75 the database \
            cannot be reached; 78 its schema is not this scanmilter's.
            """
    )

    @OptionGroup var options: QuarantineOptions

    @Option(help: ArgumentHelp("The shared store: a postgresql:// URI.", valueName: "URI"))
    var to: String

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard QuarantineStoreOpener.isDatabaseURI(to) else { throw ValidationError("--to must be a postgresql:// URI") }
    }

    struct Result: PerIDResult {
        var id: String
        var outcome: String
        var error: String?
        var exitCode: Int32

        enum CodingKeys: String, CodingKey { case id, outcome, error }
    }

    func run() throws {
        // The source is always the local store ([quarantine] dir or --dir), whatever
        // [quarantine] store says: after a switch the configuration already names the target.
        let settings = try options.loadConfiguration().quarantine
        let source: QuarantineStore
        do {
            source = try QuarantineStoreOpener.open(
                QuarantineStoreOpener.Location(directory: options.dir ?? settings.dir), logger: QuarantineOptions.logger, createIfMissing: false)
        } catch {
            throw QuarantineOutput.fail(error)
        }
        var target = QuarantineStoreOpener.Location(settings)
        target.store = to
        let backend: PostgresQuarantineBackend
        let entries: [QuarantineEntry]
        do {
            backend = try PostgresQuarantineBackend(
                options: QuarantineStoreOpener.options(target, applicationName: "scanmilterctl"), logger: QuarantineOptions.logger)
            entries = try source.list()
        } catch {
            throw QuarantineOutput.fail(error)
        }
        var results: [Result] = []
        var copied = 0
        var present = 0
        for entry in entries {
            do {
                let message = entry.action == .quarantine && entry.status != .deleted ? try source.message(entry.id) : nil
                let outcome = try backend.importEntry(entry, message: message)
                if outcome == .copied { copied += 1 } else { present += 1 }
                results.append(Result(id: entry.id.rawValue, outcome: outcome.rawValue, error: nil, exitCode: 0))
            } catch {
                let failure = QuarantineOutput.fail(error)
                if failure.code == .tempFail || failure.code == .config { throw failure }
                if !json { QuarantineOutput.error("\(entry.id): \(failure.message ?? "failed")") }
                results.append(Result(id: entry.id.rawValue, outcome: "failed", error: failure.message ?? "failed", exitCode: SysExit.dataError.rawValue))
            }
        }
        if !json {
            let failed = results.count - copied - present
            QuarantineOutput.line("\(entries.count) entries: \(copied) copied, \(present) already there, \(failed) failed; \(source.backend.location) is unchanged")
        }
        try QuarantineOutput.finish(results, json: json)
    }
}
