#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MilterProtocol

extension ScanmilterConfig {
    /// Every section a file may have, with its keys; anything else is an error.
    static var declarations: [SectionDeclaration] {
        [
            SectionDeclaration(\.milter), SectionDeclaration(\.scan), SectionDeclaration(\.policy),
            SectionDeclaration(\.actions), SectionDeclaration(\.reply), SectionDeclaration(\.headers),
            SectionDeclaration(\.quarantine), SectionDeclaration(\.log), SectionDeclaration(\.update),
            SectionDeclaration(\.metrics), SectionDeclaration(\.notify), SectionDeclaration(\.web),
        ]
    }

    /// Loads `path`, applies `SCANMILTER_<SECTION>_<KEY>` overrides from `environment`, and
    /// validates everything; the error names the file, line and key of every problem.
    public static func load(path: String, environment: [String: String]) throws(ConfigurationError) -> ScanmilterConfig {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigurationError(file: path, line: nil, key: nil, message: error.message)
        }
        return try parse(text, file: path, environment: environment)
    }

    /// Parses configuration text (the file's contents); `file` names it in errors. A syntax error
    /// stops the parse; otherwise every wrong value, unknown key and unknown section is reported,
    /// the first in the error and the rest in its ``ConfigurationError/furtherProblems``.
    public static func parse(_ text: String, file: String = "<string>", environment: [String: String] = [:]) throws(ConfigurationError) -> ScanmilterConfig {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(text)
        } catch {
            throw ConfigurationError(file: file, line: error.line, key: nil, message: error.message)
        }
        let declarations = declarations
        let sections = declarations.map(\.name)
        var problems: [ConfigurationError] = []
        for key in root.keys where key != RecipientOverride.tableName {
            guard sections.contains(key), case .table = root[key]?.kind else {
                var message = "'\(key)' is not a section; sections are " + sections.map { "[\($0)]" }.joined(separator: ", ")
                    + " and [[\(RecipientOverride.tableName)]]"
                if let near = SectionReader.nearest(key, in: sections) { message += "; did you mean [\(near)]?" }
                problems.append(ConfigurationError(file: file, line: root[key]?.line, key: nil, message: message))
                continue
            }
        }
        let overrides = environmentOverrides(environment, sections: sections)
        var config = ScanmilterConfig()
        for declaration in declarations {
            var table = TOMLTable()
            if case .table(let found)? = root[declaration.name]?.kind { table = found }
            var reader = SectionReader(section: declaration.name, table: table, file: file, environment: overrides[declaration.name] ?? [:])
            declaration.read(&reader, &config)
            reader.reportUnknownKeys()
            problems += reader.problems
        }
        config.overrides = readOverrides(root[RecipientOverride.tableName], base: config, file: file, problems: &problems)
        if let error = ConfigurationError(problems) { throw error }
        return config
    }

    /// The environment variable that overrides a key: `SCANMILTER_<SECTION>_<KEY>`.
    public static func environmentName(section: String, key: String) -> String {
        "\(environmentPrefix)\(section.uppercased())_\(key.uppercased())"
    }

    private static let environmentPrefix = "SCANMILTER_"

    /// `SCANMILTER_SCAN_MAX_MESSAGE_SIZE=50MB` → `["scan": ["max_message_size": "50MB"]]`.
    static func environmentOverrides(_ environment: [String: String], sections: [String]) -> [String: [String: String]] {
        var overrides: [String: [String: String]] = [:]
        for (name, value) in environment where name.hasPrefix(environmentPrefix) {
            let rest = name.dropFirst(environmentPrefix.count).lowercased()
            guard let section = sections.first(where: { rest.hasPrefix($0 + "_") }) else {
                // Other SCANMILTER_ variables (e.g. SCANMILTER_CONFIG) are not key overrides.
                continue
            }
            overrides[section, default: [:]][String(rest.dropFirst(section.count + 1))] = value
        }
        return overrides
    }

    private struct ReadError: Error {
        var message: String
    }

    private static func readFile(_ path: String) throws(ReadError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ReadError(message: "is a directory, not a configuration file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > 4 << 20 { throw ReadError(message: "is larger than 4 MiB; is it really a configuration file?") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ReadError(message: "is not valid UTF-8 text")
        }
        return text
    }
}
