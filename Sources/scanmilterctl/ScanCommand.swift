import ArgumentParser
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

    @Flag(name: .long, help: "Print one JSON object per file and line (the mime --json part fields plus verdicts).")
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

        var exitCode: Int32 = 0
        for file in files {
            let message: MessageBytes
            do {
                message = try MessageBytes(mappingFile: file)
            } catch {
                let reason = (error as? MessageBytesError)?.reason ?? "\(error)"
                FileHandle.standardError.write(Data("scanmilterctl scan: \(file): \(reason)\n".utf8))
                exitCode = max(exitCode, 66)
                continue
            }
            let parsed = MIMEParser().parse(message)
            let report = scanner.scan(parsed)
            let result = ScannedMessage(file: file, parsed: parsed, report: report, detector: detector)
            switch report.verdict {
            case .clean: break
            case .infected: exitCode = exitCode == 0 ? 1 : exitCode
            case .unscannable: exitCode = max(exitCode, 75)
            }
            print(json ? result.json() : result.text())
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

/// One scanned message as `scan` prints it. The per-part fields and their decoding come from
/// `mime --json` (``MimeReport``, ``JSONWriter``); scan adds what the scanner and libmagic found.
struct ScannedMessage {
    let file: String
    let report: MessageScanReport
    let mime: MimeReport
    /// Detected MIME type per leaf, in the order of `mime.leaves + mime.alternatives`.
    let detectedTypes: [String?]

    init(file: String, parsed: ParsedMessage, report: MessageScanReport, detector: TypeDetector?) {
        self.file = file
        self.report = report
        mime = MimeReport(file: file, parsed: parsed)
        let limit = detector?.configuration.prefixLength ?? 0
        detectedTypes = (parsed.leaves + parsed.alternativeLeaves).map { leaf in
            guard let detector else { return nil }
            // libmagic reads only the start of a file; keep that much of the decoded content.
            var prefix: [UInt8] = []
            _ = leaf.decode { chunk in
                if prefix.count < limit { prefix.append(contentsOf: chunk.prefix(limit - prefix.count)) }
            }
            return (try? detector.detect(prefix))?.mimeType
        }
    }

    /// A verdict's name and, for could-not-scan, its reason.
    static func describe(_ verdict: ScanVerdict) -> (name: String, reason: String?, viruses: [String]) {
        switch verdict {
        case .clean: ("clean", nil, [])
        case .infected(let names): ("infected", nil, names)
        case .unscannable(let reason): ("unscannable", reason.description, [])
        }
    }

    private var rows: [(leaf: MimeReport.Leaf, scanned: MessageScanReport.PartVerdict, type: String?)] {
        zip(zip(mime.leaves + mime.alternatives, report.parts), detectedTypes).map { ($0.0, $0.1, $1) }
    }

    /// One JSON object on one line: `{"file", "verdict", "viruses", "reason", "whole_message",
    /// "parts": [{mime --json part fields, "reading", "detected_type", "verdict", "viruses", "reason"}]}`.
    func json() -> String {
        let overall = Self.describe(report.verdict)
        var out = JSONWriter()
        out.object { object in
            object.field("file") { $0.string(file) }
            object.field("verdict") { $0.string(overall.name) }
            object.field("viruses") { $0.array(report.viruses) { $0.string($1) } }
            object.field("reason") { $0.optionalString(overall.reason) }
            object.field("whole_message") { $0.string(Self.describe(report.wholeMessage).name) }
            object.field("parts") { value in
                value.array(rows) { item, row in
                    let verdict = Self.describe(row.scanned.verdict)
                    let part = row.leaf.part
                    item.object { fields in
                        fields.field("path") { $0.string(part.path) }
                        fields.field("content_type") { $0.string(part.contentType.mimeType) }
                        fields.field("charset") { $0.optionalString(part.charset) }
                        fields.field("filename") { $0.optionalString(part.filename) }
                        fields.field("disposition") { $0.optionalString(part.disposition) }
                        fields.field("encoding") { $0.string(part.transferEncoding) }
                        fields.field("size") { $0.number(row.leaf.size) }
                        fields.field("sha256") { $0.string(row.leaf.sha256) }
                        fields.field("defects") { $0.array(row.leaf.defects) { $0.defect($1, withPath: false) } }
                        fields.field("reading") { $0.optionalString(part.reading) }
                        fields.field("detected_type") { $0.optionalString(row.type) }
                        fields.field("verdict") { $0.string(verdict.name) }
                        fields.field("viruses") { $0.array(verdict.viruses) { $0.string($1) } }
                        fields.field("reason") { $0.optionalString(verdict.reason) }
                    }
                }
            }
        }
        return out.text
    }

    /// The human-readable form: a line for the message, an indented line per part.
    func text() -> String {
        let overall = Self.describe(report.verdict)
        var head = "\(file): \(overall.name)"
        if !report.viruses.isEmpty { head += " " + report.viruses.joined(separator: ", ") }
        if let reason = overall.reason { head += " (\(reason))" }
        var lines = [head]
        for row in rows {
            let part = row.leaf.part
            let verdict = Self.describe(row.scanned.verdict)
            var line = "  \(part.path.isEmpty ? "-" : part.path) \(part.contentType.mimeType)"
            if let filename = part.filename { line += " \"\(filename)\"" }
            if let detected = row.type { line += " [\(detected)]" }
            line += " \(row.leaf.size) bytes: \(verdict.name)"
            if !verdict.viruses.isEmpty { line += " " + verdict.viruses.joined(separator: ", ") }
            if let reason = verdict.reason { line += " (\(reason))" }
            if let reading = part.reading { line += " (reading: \(reading))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
