import ArgumentParser

/// `scanmilterctl`: the maintenance CLI. Each subcommand lives in its own file.
///
/// Exit codes follow sysexits(3): 0 success, 64 usage, 65 bad input data, 66 missing input,
/// 75 temporary failure, 78 configuration error.
@main
struct ScanmilterCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanmilterctl",
        abstract: "Maintain scanmilter: inspect messages, scan offline.",
        subcommands: [MimeCommand.self, ScanCommand.self]
    )
}
