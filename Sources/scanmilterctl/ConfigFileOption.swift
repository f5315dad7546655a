import ArgumentParser
import ScanmilterConfiguration
import Foundation

/// `--config FILE`, shared by `update`, `status`, `health` and the quarantine commands.
struct ConfigFileOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "FILE"))
    var config = ConfigFileOption.defaultPath

    static let defaultPath = "/etc/scanmilter/scanmilter.toml"

    /// The configuration; a missing file at the default path means the defaults (so the
    /// quarantine's `--dir` alone works on a host without a config file), any other problem
    /// exits with EX_CONFIG after one line naming the file and line.
    func load() throws -> ScanmilterConfig {
        if config == Self.defaultPath && !FileManager.default.fileExists(atPath: config) {
            return ScanmilterConfig()
        }
        do {
            return try ScanmilterConfig.load(path: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CLIFailure("\(error)", code: .config)
        }
    }
}
