import ArgumentParser
import Foundation
import Filter

/// `scanmilterctl`: the maintenance CLI. Each subcommand lives in its own file.
///
/// Exit codes follow sysexits(3): 0 success, 64 usage, 65 bad input data, 66 missing input,
/// 69 service unavailable, 75 temporary failure, 78 configuration error; each command's help
/// says which it uses.
@main
struct ScanmilterCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanmilterctl",
        abstract: "Maintain scanmilter: inspect and scan messages, reload signatures, probe a milter.",
        version: FilterService.version,
        subcommands: [
            MimeCommand.self, ScanCommand.self, ReloadCommand.self, ProbeCommand.self, UpdateCommand.self,
            StatusCommand.self, QuarantineCommand.self, HealthCommand.self, WebCommand.self,
        ]
    )

    /// Runs the command; an operational failure prints its message and exits with its code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            if let message = failure.message {
                FileHandle.standardError.write(Data("scanmilterctl: \(message)\n".utf8))
            }
            Foundation.exit(failure.code.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
