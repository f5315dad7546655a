import ArgumentParser
import Checksum
import ClamAV
import Configuration
import FileMagic
import Foundation
import Logging
import MIME
import Scanning

/// `scanmilterctl scan`: scans .eml files offline with the configured backend and database, and
/// says per file which signatures matched and per leaf part what it is and what was found.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan messages (.eml files) offline with the configured scanner.",
        discussion: """
            Each message is scanned whole and part by part, as the daemon does. Exit status: 0 every \
            message clean, 1 a virus was found, 66 a file could not be read, 75 a message could not be \
            scanned completely, 78 the configuration or the signature database is unusable.
            """
    )

    @Option(name: .long, help: "Configuration file (TOML) whose [scan] section selects the scanner.")
    var config: String?

    @Option(name: .long, help: "Signature directory; overrides [scan] database_dir.")
    var database: String?

    @Option(name: .long, help: "Scan strategy: every-part (default), attribute-on-finding or every-part-raw.")
    var strategy: String = MessageScanner.Strategy.everyPart.rawValue

    @Flag(name: .long, help: "Print one JSON document (an array, one object per file).")
    var json = false

    @Argument(help: "Messages to scan.")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one message file") }
        if MessageScanner.Strategy(rawValue: strategy) == nil {
            throw ValidationError("--strategy must be every-part, attribute-on-finding or every-part-raw")
        }
    }

    func run() throws {
        var logger = Logger(label: "scanmilterctl.scan")
        logger.logLevel = .warning
        let backend = try makeBackend(logger: logger)
        let scanner = MessageScanner(backend: backend, strategy: MessageScanner.Strategy(rawValue: strategy) ?? .everyPart)
        let detector = try? TypeDetector()

        var results: [ScannedMessage] = []
        var exitCode: Int32 = 0
        for file in files {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("scanmilterctl scan: cannot read \(file)\n".utf8))
                exitCode = max(exitCode, 66)
                continue
            }
            let parsed = MIMEParser().parse(Array(bytes))
            let report = scanner.scan(parsed)
            let result = ScannedMessage(file: file, parsed: parsed, report: report, detector: detector)
            results.append(result)
            switch report.verdict {
            case .clean: break
            case .infected: exitCode = exitCode == 0 ? 1 : exitCode
            case .unscannable: exitCode = max(exitCode, 75)
            }
            if !json { print(result.text) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// The backend the configuration selects, or exit 78 with the reason.
    private func makeBackend(logger: Logger) throws -> any ScanBackend {
        var settings = ScanSettings()
        if let config {
            do {
                settings = try ScanmilterConfig.load(path: config, environment: ProcessInfo.processInfo.environment).scan
            } catch {
                throw failure("\(error)", code: 78)
            }
        }
        if let database { settings.databaseDir = database }
        switch settings.backend {
        case .clamav:
            do {
                return try ClamAVBackend(settings: ClamAVBackendSettings(settings), logger: logger)
            } catch {
                throw failure("signature database: \(error)", code: 78)
            }
        case .clamd:
            var servers: [ClamdEndpoint] = []
            for text in settings.clamdServers {
                guard let endpoint = ClamdEndpoint(text) else { throw failure("clamd_servers: cannot read \"\(text)\"", code: 78) }
                servers.append(endpoint)
            }
            let timeout = Duration.milliseconds(Int64((settings.clamdTimeout * 1000).rounded()))
            do {
                return try ClamdBackend(configuration: .init(servers: servers, readTimeout: timeout), logger: logger)
            } catch {
                throw failure("\(error)", code: 78)
            }
        }
    }

    private func failure(_ message: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("scanmilterctl scan: \(message)\n".utf8))
        return ExitCode(code)
    }
}

extension ClamAVBackendSettings {
    /// The embedded engine's settings from the `[scan]` section: limits and alerts left unset keep
    /// ClamAV's defaults; in-place reloads let scans wait up to 30 s.
    init(_ scan: ScanSettings) {
        var heuristics: EngineOptions.Heuristics = []
        let switches: [(Bool?, EngineOptions.Heuristics)] = [
            (scan.alertEncryptedArchive, .encryptedArchives), (scan.alertEncryptedDoc, .encryptedDocuments),
            (scan.alertBrokenExecutables, .brokenExecutables), (scan.alertOLE2Macros, .ole2Macros),
            (scan.alertPhishingSSLMismatch, .phishingSSLMismatch), (scan.alertPhishingCloak, .phishingCloak),
            (scan.alertPartitionIntersection, .partitionIntersection), (scan.alertExceedsMax, .exceedsMax),
        ]
        for case (true?, let flag) in switches { heuristics.insert(flag) }
        let options = EngineOptions(
            maxScanSize: scan.maxScanSize.map { UInt64(clamping: $0) },
            maxFileSize: scan.maxFileSize.map { UInt64(clamping: $0) },
            maxRecursion: scan.maxRecursion.map { UInt32(clamping: $0) },
            maxFiles: scan.maxFiles.map { UInt32(clamping: $0) },
            maxScanTime: scan.maxScanTime.map { UInt32(clamping: Int(($0 * 1000).rounded())) },
            detectPUA: scan.detectPUA,
            heuristics: heuristics)
        let mode: ReloadMode = switch scan.reloadMode {
        case .concurrent: .concurrent
        case .inPlace: .inPlace(maxWait: .seconds(30))
        }
        self.init(databaseDirectory: scan.databaseDir, engineOptions: options, reloadMode: mode)
    }
}

/// One scanned message as `scan` prints it; the JSON field names are stable.
struct ScannedMessage: Encodable {
    /// One leaf part: the `mime --json` fields, its detected type and what its scan found.
    struct Part: Encodable {
        var path: String
        var reading: String?
        var contentType: String
        var charset: String?
        var filename: String?
        var disposition: String?
        var encoding: String
        var size: Int
        var sha256: String
        var defects: [String]
        var detectedType: String?
        var verdict: String
        var viruses: [String]
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case path, reading, charset, filename, disposition, encoding, size, sha256, defects, verdict, viruses, reason
            case contentType = "content_type"
            case detectedType = "detected_type"
        }
    }

    var file: String
    var verdict: String
    var viruses: [String]
    var reason: String?
    var wholeMessage: String
    var parts: [Part]

    enum CodingKeys: String, CodingKey {
        case file, verdict, viruses, reason, parts
        case wholeMessage = "whole_message"
    }

    init(file: String, parsed: ParsedMessage, report: MessageScanReport, detector: TypeDetector?) {
        self.file = file
        (verdict, reason) = Self.describe(report.verdict)
        viruses = report.viruses
        wholeMessage = Self.describe(report.wholeMessage).0
        let leaves = parsed.leaves + parsed.alternativeLeaves
        parts = zip(leaves, report.parts).map { leaf, scanned in
            let content = leaf.decode()
            let (verdict, reason) = Self.describe(scanned.verdict)
            var viruses: [String] = []
            if case .infected(let names) = scanned.verdict { viruses = names }
            return Part(
                path: leaf.path, reading: leaf.reading, contentType: leaf.contentType.mimeType, charset: leaf.charset,
                filename: leaf.filename, disposition: leaf.disposition, encoding: leaf.transferEncoding,
                size: content.bytes.count, sha256: SHA256.hex(content.bytes),
                defects: (leaf.defects + content.defects).map(\.description),
                detectedType: (try? detector?.detect(content.bytes))?.mimeType,
                verdict: verdict, viruses: viruses, reason: reason)
        }
    }

    /// The verdict's name and, for could-not-scan, its reason.
    static func describe(_ verdict: ScanVerdict) -> (String, String?) {
        switch verdict {
        case .clean: ("clean", nil)
        case .infected: ("infected", nil)
        case .unscannable(let reason): ("unscannable", reason.description)
        }
    }

    /// The human-readable form: a line for the message, an indented line per part.
    var text: String {
        var lines = ["\(file): \(verdict)" + (viruses.isEmpty ? "" : " \(viruses.joined(separator: ", "))") + (reason.map { " (\($0))" } ?? "")]
        for part in parts {
            var line = "  \(part.path.isEmpty ? "-" : part.path) \(part.contentType)"
            if let filename = part.filename { line += " \"\(filename)\"" }
            if let detected = part.detectedType { line += " [\(detected)]" }
            line += " \(part.size) bytes: \(part.verdict)"
            if !part.viruses.isEmpty { line += " " + part.viruses.joined(separator: ", ") }
            if let reading = part.reading { line += " (reading: \(reading))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
