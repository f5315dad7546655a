import ArgumentParser
import ScanmilterConfiguration
import Filter
import Foundation
import Logging
import MIME
import Scanning
import StableJSON

/// `scanmilterctl scan`: runs the daemon's whole pipeline offline on .eml files (MIME parse,
/// type detection and rules, the configured scanner, the policy) and says per file what was found
/// and what the daemon would do, and per leaf part what it is.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan messages (.eml files) offline with the configured scanner and policy.",
        discussion: """
            Each message goes through the daemon's pipeline: parsed, each part's type detected and \
            checked against the type rules, scanned whole and part by part, and judged by the \
            policy. A name or declared type that disagrees with harmless content is shown as a \
            harmless mismatch; it does not make the message banned. Exit status: 0 every message \
            clean, 1 a virus or banned attachment was found, 66 a file could not be read, 75 a \
            message could not be scanned completely, 78 the configuration or the signature database \
            is unusable.
            """
    )

    @Option(name: .long, help: "Configuration file (TOML); its [scan] and [policy] sections apply.")
    var config: String?

    @Option(name: .long, help: "Signature directory; overrides [scan] database_dir.")
    var database: String?

    @Option(name: .long, help: ArgumentHelp(
        "A recipient (repeatable): the policy that applies to it ([[override]] or the default), why, and what it decides.",
        valueName: "address"))
    var recipient: [String] = []

    @Flag(name: .long, help: "Print one JSON object per file and line (the mime --json part fields plus verdicts).")
    var json = false

    @Argument(help: "Messages to scan.")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one message file") }
    }

    func run() throws {
        var logger = Logger(label: "scanmilterctl.scan")
        logger.logLevel = .warning
        var settings = ScanmilterConfig()
        if let config {
            do {
                settings = try ScanmilterConfig.load(path: config, environment: ProcessInfo.processInfo.environment)
            } catch {
                throw failure("\(error)", code: .config)
            }
        }
        if let database { settings.scan.databaseDir = database }
        let service: FilterService
        do {
            service = try FilterService.make(config: settings, quarantine: nil, logger: logger)
        } catch {
            throw failure("\(error)", code: .config)
        }

        var exitCode: SysExit?
        for file in files {
            guard let message = MessageFile.open(file, command: "scan") else {
                exitCode = Self.worse(exitCode, .noInput)
                continue
            }
            let result = service.pipeline.evaluate(message, truncated: false, queueID: "", recipients: recipient)
            switch result.decision.verdict {
            case .clean: break
            case .infected, .banned: exitCode = exitCode ?? .findings
            case .unscanned: exitCode = Self.worse(exitCode, .tempFail)
            }
            let scanned = ScannedMessage(file: file, result: result, policies: service.pipeline.policies)
            print(json ? try scanned.json() : scanned.text())
        }
        if let exitCode { throw CLIFailure(reported: exitCode) }
    }

    private func failure(_ message: String, code: SysExit) -> CLIFailure {
        FileHandle.standardError.write(Data("scanmilterctl scan: \(message)\n".utf8))
        return CLIFailure(reported: code)
    }

    /// The higher of two statuses: a missing file or an unscanned message outranks a finding.
    private static func worse(_ current: SysExit?, _ new: SysExit) -> SysExit {
        guard let current, current.rawValue > new.rawValue else { return new }
        return current
    }
}

/// One scanned message as `scan` prints it. The per-part fields and their decoding come from
/// `mime --json` (``MimeReport``, ``PartJSON``); scan adds what the scanner and libmagic found.
struct ScannedMessage {
    let file: String
    let report: MessageScanReport
    let mime: MimeReport
    /// Detected MIME type per leaf, in the order of `mime.leaves + mime.alternatives`.
    let detectedTypes: [String?]
    /// Banned-content rules that fired, and the policy's decision.
    let banned: [String]
    let decision: Decision
    /// Harmless type mismatches (recorded, not acted on): `rule (part name)`.
    let harmlessMismatches: String
    /// Encrypted archives a password from the message opened, with the candidate that worked.
    let opened: [OpenedArchive]
    /// The verdict over every scan, members of opened archives included.
    let overall: ScanVerdict

    /// Each `--recipient`: the policy that applies, why, and its own decision.
    let recipients: [RecipientJSON]
    /// Recipients the daemon would remove from the delivery (their policy quarantines or discards).
    let removed: [String]

    init(file: String, result: Pipeline.Result, policies: RecipientPolicies) {
        recipients = result.plan.recipients.map { entry in
            RecipientJSON(
                address: entry.address, policy: entry.policy, reason: policies.resolve(entry.address).reason,
                action: entry.decision.action.rawValue, status: entry.decision.statusText)
        }
        removed = result.plan.removed
        opened = result.findings.openedArchives
        overall = result.findings.scan
        self.file = file
        report = result.report
        mime = MimeReport(file: file, parsed: result.parsed)
        detectedTypes = (result.parsed.leaves + result.parsed.alternativeLeaves).map { result.detectedTypes[$0.path]?.mimeType }
        var rules: [String] = []
        for hit in result.findings.banned where !rules.contains(hit.rule) { rules.append(hit.rule) }
        banned = rules
        decision = result.decision
        harmlessMismatches = result.findings.harmlessMismatchSummary
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
    /// "banned", "harmless_mismatches" (null when none), "decision", "status", "opened_archives",
    /// "recipients" (each `--recipient`: address, policy, reason, action, status), "removed",
    /// "parts": [{mime --json part fields, "reading", "detected_type", "verdict", "viruses", "reason"}]}`.
    func json() throws -> String {
        let overall = Self.describe(self.overall)
        return try StableJSONEncoder(writesNulls: true).encode(JSONDocument(
            file: file, verdict: overall.name, viruses: overall.viruses, reason: overall.reason,
            wholeMessage: Self.describe(report.wholeMessage).name, banned: banned,
            harmlessMismatches: harmlessMismatches.isEmpty ? nil : harmlessMismatches, decision: decision.action.rawValue,
            status: decision.statusText,
            openedArchives: opened.map { OpenedJSON(part: $0.partPath, filename: $0.filename, password: $0.password) },
            recipients: recipients, removed: removed,
            parts: rows.map { row in
                let verdict = Self.describe(row.scanned.verdict)
                return MergedObject(PartJSON(row.leaf), Findings(
                    reading: row.leaf.part.reading, detectedType: row.type, verdict: verdict.name,
                    viruses: verdict.viruses, reason: verdict.reason))
            }))
    }

    private struct JSONDocument: Encodable {
        let file, verdict: String
        let viruses: [String]
        let reason: String?
        let wholeMessage: String
        let banned: [String]
        let harmlessMismatches: String?
        let decision, status: String
        /// Encrypted archives a password from the message opened, and the password.
        let openedArchives: [OpenedJSON]
        /// Each `--recipient` with its policy, and those the daemon would remove from the delivery.
        let recipients: [RecipientJSON]
        let removed: [String]
        /// Each part: the `mime --json` keys, then what the scanner and libmagic found.
        let parts: [MergedObject<PartJSON, Findings>]

        enum CodingKeys: String, CodingKey {
            case file, verdict, viruses, reason, wholeMessage = "whole_message", banned
            case harmlessMismatches = "harmless_mismatches", decision, status, openedArchives = "opened_archives"
            case recipients, removed, parts
        }
    }

    /// One `--recipient`: `{"address", "policy", "reason", "action", "status"}`.
    struct RecipientJSON: Encodable {
        let address, policy, reason, action, status: String
    }

    private struct OpenedJSON: Encodable {
        let part: String
        let filename: String?
        let password: String
    }

    private struct Findings: Encodable {
        let reading, detectedType: String?
        let verdict: String
        let viruses: [String]
        let reason: String?

        enum CodingKeys: String, CodingKey {
            case reading, detectedType = "detected_type", verdict, viruses, reason
        }
    }

    /// The human-readable form: a line for the message, an indented line per part.
    func text() -> String {
        let overall = Self.describe(self.overall)
        var head = "\(file): \(overall.name)"
        if !overall.viruses.isEmpty { head += " " + overall.viruses.joined(separator: ", ") }
        if let reason = overall.reason { head += " (\(reason))" }
        if !banned.isEmpty { head += " banned: " + banned.joined(separator: ", ") }
        if !harmlessMismatches.isEmpty { head += " harmless mismatch: " + harmlessMismatches }
        head += " -> \(decision.action.rawValue) (\(decision.statusText))"
        var lines = [head]
        for archive in opened {
            lines.append("  \(archive.summary), password \"\(archive.password)\"")
        }
        for entry in recipients {
            lines.append("  recipient \(entry.address): \(entry.reason) -> \(entry.action) (\(entry.status))")
        }
        if !removed.isEmpty {
            lines.append("  removed from the delivery (quarantined or discarded for them alone): " + removed.joined(separator: ", "))
        }
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
