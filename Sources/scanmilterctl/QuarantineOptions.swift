import ArgumentParser
import ScanmilterConfiguration
import Foundation
import Logging
import Quarantine
import QuarantinePostgres

/// The options every quarantine subcommand shares: where the configuration and the store are.
struct QuarantineOptions: ParsableArguments {
    @OptionGroup var configFile: ConfigFileOption

    @Option(help: "A local quarantine directory (overrides [quarantine] dir and store).")
    var dir: String?

    /// The configuration file's path.
    var config: String { configFile.config }

    /// The configuration (see ``ConfigFileOption/load()``).
    func loadConfiguration() throws -> ScanmilterConfig {
        try configFile.load()
    }

    /// Where the store is: `--dir` names a local store; otherwise `[quarantine] store` (a
    /// shared store) or `[quarantine] dir`.
    func location() throws -> QuarantineStoreOpener.Location {
        if let dir { return QuarantineStoreOpener.Location(directory: dir) }
        return QuarantineStoreOpener.Location(try loadConfiguration().quarantine)
    }

    /// Opens the existing store (never creates one: a typo in --dir must not make a new store;
    /// a shared store must have this build's schema).
    func openStore() throws -> QuarantineStore {
        let location = try location()
        do {
            return try QuarantineStoreOpener.open(location, logger: Self.logger, createIfMissing: false, applicationName: "scanmilterctl")
        } catch {
            throw QuarantineOutput.fail(error)
        }
    }

    /// Opens the store and runs one query on it; a store error becomes the command's failure
    /// (its message and sysexits code).
    func query<Answer>(_ body: (QuarantineStore) throws -> Answer) throws -> Answer {
        let store = try openStore()
        do {
            return try body(store)
        } catch {
            throw QuarantineOutput.fail(error)
        }
    }

    /// Errors from the store go to standard error (standard output stays for results); its
    /// warnings and notices are left out because each command prints its own outcome.
    static let logger: Logger = {
        var logger = Logger(label: "scanmilterctl.quarantine") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        return logger
    }()
}

extension SysExit {
    /// The exit status for a quarantine store error.
    init(_ error: QuarantineError) {
        switch error.code {
        case .malformedID, .invalidArgument: self = .usage
        case .notHeld: self = .dataError
        case .unknownID, .storeMissing, .fileMissing: self = .noInput
        case .indexBusy, .unavailable: self = .tempFail
        case .schemaMismatch: self = .config
        default: self = .ioError
        }
    }
}

/// The ids and `--json` of a command that acts on several entries (release, delete).
struct QuarantineTargets: ParsableArguments {
    @Argument(help: "Ids of the entries.")
    var ids: [String]

    @Flag(help: "Print the results as JSON.")
    var json = false

    /// At least one id, each an id, before any file is touched.
    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one id") }
        _ = try QuarantineIDs.parse(ids)
    }

    /// The ids, parsed.
    func parsed() throws -> [QuarantineID] {
        try QuarantineIDs.parse(ids)
    }
}

/// Parses command-line ids, refusing anything that is not one before any file is touched.
enum QuarantineIDs {

    static func parse(_ texts: [String]) throws -> [QuarantineID] {
        try texts.map { text in
            guard let id = QuarantineID(text) else {
                throw ValidationError("'\(text)' is not a quarantine id (\(QuarantineID.length) characters of A-Z a-z 0-9 - _)")
            }
            return id
        }
    }
}

/// The login name recorded with a release or delete: the user behind sudo when there is one.
enum LoginName {
    static var current: String {
        let environment = ProcessInfo.processInfo.environment
        if let sudo = environment["SUDO_USER"], !sudo.isEmpty { return sudo }
        if let login = getlogin() { return String(cString: login) }
        if let name = environment["LOGNAME"] ?? environment["USER"], !name.isEmpty { return name }
        if let entry = getpwuid(geteuid()) { return String(cString: entry.pointee.pw_name) }
        return "uid \(geteuid())"
    }
}
