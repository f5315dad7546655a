import FileMagic
import Foundation
import MIME
import Quarantine

/// What the message page shows of a stored message: headers (RFC 2047 decoded), the MIME tree
/// with declared and detected types, and the text of text parts. Everything here is data for
/// `{{ }}`, so markup in a message arrives in the browser as text.
struct MessageView {
    /// The most text shown of one part.
    static let textLimit = 200_000

    static func render(_ bytes: [UInt8], detector: TypeDetector?) -> [String: Any] {
        let parsed = MIMEParser().parse(bytes)
        let headers: [[String: Any]] = parsed.root.headerFields.prefix(500).map { ["name": $0.name, "value": $0.decodedValue] }
        var parts: [[String: Any]] = []
        var texts: [[String: Any]] = []
        for part in parsed.allParts.prefix(1000) {
            var row: [String: Any] = [
                "path": part.path.isEmpty ? "message" : part.path,
                "indent": String(repeating: "· ", count: max(0, part.depth)),
                "declared": part.contentType.mimeType,
                "filename": part.filename ?? "",
                "disposition": part.disposition ?? "",
                "encoding": part.transferEncoding,
                "defects": part.defects.map(\.name).joined(separator: ", "),
            ]
            if part.isLeaf && !part.contentType.isMultipart {
                let content = part.decoded()
                row["size"] = content.count
                if let detector, let detected = try? detector.detect(content) { row["detected"] = detected.mimeType }
                if part.contentType.type == "text" {
                    let text = part.decodedText()
                    let shown = text.count > textLimit ? String(text.prefix(textLimit)) : text
                    texts.append([
                        "path": part.path.isEmpty ? "message" : part.path, "type": part.contentType.mimeType, "text": shown,
                        "truncated": text.count > textLimit, "shown": textLimit,
                    ])
                }
            } else {
                row["size"] = part.bodyRange.count
            }
            parts.append(row)
        }
        return ["headers": headers, "parts": parts, "texts": texts]
    }
}

/// How the console writes times, sizes and entries for pages.
enum Display {
    /// The kind of a stored verdict (`Banned (banned-type:exe)` → `banned`), what
    /// `recipient_release_verdicts` names.
    static func verdictKind(_ verdict: String) -> String {
        String(verdict.prefix { $0 != " " && $0 != "(" && $0 != ":" }).lowercased()
    }

    /// `2026-12-06 16:58:58 UTC`. By hand with gmtime_r: a date formatter made per row cost
    /// more than the store's query on a 50-row page.
    static func time(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "\(date)" }
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    static func row(_ entry: QuarantineEntry) -> [String: Any] {
        [
            "id": entry.id.rawValue, "received": time(entry.receivedAt), "sender": entry.sender.address.isEmpty ? "<>" : entry.sender.address,
            "subject": entry.subject.isEmpty ? "(no subject)" : HeaderText.readable(entry.subject), "size": size(entry.size), "verdict": verdictKind(entry.verdict),
            "status": entry.status.rawValue, "host": entry.host, "recipients": entry.recipients.map(\.address).joined(separator: ", "),
            "findings": entry.findings.joined(separator: ", "),
        ]
    }

    static func detail(_ entry: QuarantineEntry) -> [String: Any] {
        var row = row(entry)
        row["verdict"] = entry.verdict
        if !entry.statusReason.isEmpty { row["statusReason"] = entry.statusReason }
        row["client"] = "\(entry.clientAddress) (\(entry.clientHelo))"
        row["queueID"] = entry.queueID
        row["size"] = entry.size
        row["sha256"] = entry.sha256
        row["signatureVersion"] = entry.signatureVersion
        row["subject"] = HeaderText.readable(entry.subject)
        return row
    }

    static func audit(_ record: AuditRecord) -> [String: Any] {
        ["at": time(record.at), "actor": record.actor, "action": record.action, "entry": record.entryID?.rawValue ?? "", "origin": record.origin, "detail": record.detail]
    }
}
