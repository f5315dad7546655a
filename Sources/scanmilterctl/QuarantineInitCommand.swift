import ArgumentParser
import Foundation
import Quarantine
import QuarantinePostgres

/// `scanmilterctl quarantine init`: create the store, or bring a shared store's schema up to date.
struct QuarantineInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the quarantine store, or upgrade the shared store's schema.",
        discussion: """
            With [quarantine] store set to a postgresql:// URI, applies the schema migrations the \
            database lacks, each in its own transaction; running it again changes nothing. The \
            daemon never migrates: it refuses to start (exit 78) until this has run. Without a \
            store URI, creates the local store in [quarantine] dir (or --dir). \
            Exit 0 done; 75 the database cannot be reached; 78 a schema newer than this scanmilter.
            """
    )

    @OptionGroup var options: QuarantineOptions

    func run() throws {
        let location = try options.location()
        do {
            if location.isShared {
                let applied = try PostgresQuarantineSchema.migrate(
                    QuarantineStoreOpener.options(location, applicationName: "scanmilterctl"), logger: QuarantineOptions.logger)
                let version = PostgresQuarantineSchema.current
                QuarantineOutput.line(applied.isEmpty
                    ? "\(location.description): schema already at version \(version)"
                    : "\(location.description): schema migrated to version \(version) (applied \(applied.map(String.init).joined(separator: ", ")))")
            } else {
                _ = try LocalQuarantineBackend(directory: location.directory, logger: QuarantineOptions.logger, createIfMissing: true)
                QuarantineOutput.line("\(location.directory): local store ready")
            }
        } catch {
            throw QuarantineOutput.fail(error)
        }
    }
}
