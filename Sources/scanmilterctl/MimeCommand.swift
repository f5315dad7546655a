import ArgumentParser
import Checksum
import MIME
import StableJSON

/// `scanmilterctl mime`: prints each message's MIME tree, as the scanner sees it.
struct MimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mime",
        abstract: "Print the MIME structure of messages.",
        discussion: """
        Reads each FILE as a raw message (RFC 5322, CRLF or LF line ends) and prints its part \
        tree: every part's section path, content type, charset, file name, disposition, \
        transfer encoding, and the size and SHA-256 of its decoded content, with every defect \
        the parser found. The tree also lists the parts visible only under another reading of \
        an ambiguous message (alternative readings).

        With --json, one JSON object per file and line, keys in this order:
          file, parts, defects
        "parts" are the leaf parts in document order (enclosed messages are descended into), \
        each with the keys path, content_type, charset, filename, disposition, encoding, size, \
        sha256 and defects; each defect is {"name", "detail"}. The top-level "defects" are \
        those not attached to a listed part, with their "path" (null for the message).

        Exit status: 0 when every file was read; 66 (EX_NOINPUT) when a file was missing, a \
        directory or unreadable: it is named on standard error and the other files are still \
        printed.
        """
    )

    @Flag(help: "Print one JSON object per file and line instead of a tree.")
    var json = false

    @Argument(help: "Message files to inspect.")
    var files: [String]

    func run() throws {
        var unreadable = 0
        for file in files {
            guard let message = MessageFile.open(file, command: "mime") else {
                unreadable += 1
                continue
            }
            let parsed = MIMEParser().parse(message)
            let report = MimeReport(file: file, parsed: parsed)
            print(json ? try report.json() : report.tree(), terminator: json ? "\n" : "")
        }
        if unreadable > 0 {
            throw CLIFailure(reported: .noInput)
        }
    }
}

/// One message's report: every leaf decoded once for size and hash, then rendered.
struct MimeReport {
    struct Leaf {
        let part: MIMEPart
        let size: Int
        let sha256: String
        let defects: [MIMEDefect]
    }

    let file: String
    let parsed: ParsedMessage
    let leaves: [Leaf]
    let alternatives: [Leaf]

    init(file: String, parsed: ParsedMessage) {
        self.file = file
        self.parsed = parsed
        var budget = parsed.makeDecodingBudget()
        leaves = parsed.leaves.map { Self.decode($0, budget: &budget) }
        alternatives = parsed.alternativeLeaves.map { Self.decode($0, budget: &budget) }
    }

    private static func decode(_ part: MIMEPart, budget: inout DecodingBudget) -> Leaf {
        var hasher = SHA256()
        let summary = part.decode(budget: &budget) { chunk in hasher.update(chunk) }
        // Decoding may restate a defect parsing already found (a uuencoded block without `end`).
        let known = Set(part.defects.map(\.name))
        let defects = part.defects + summary.defects.filter { !known.contains($0.name) }
        return Leaf(part: part, size: summary.size, sha256: hasher.finalize().hexString, defects: defects)
    }

    /// Defects not attached to a listed leaf: the message's own and those of multiparts.
    private var structuralDefects: [MIMEDefect] {
        let leafPaths = Set(parsed.leaves.map(\.path))
        return parsed.defects.filter { defect in defect.path.map { !leafPaths.contains($0) } ?? true }
    }

    // MARK: JSON

    /// `{"file", "parts", "defects"}` on one line, keys in the documented order.
    func json() throws -> String {
        let defects = structuralDefects.map { PlacedDefectJSON(name: $0.name, detail: $0.detail, path: $0.path) }
        return try StableJSONEncoder(writesNulls: true).encode(JSONDocument(file: file, parts: leaves.map(PartJSON.init), defects: defects))
    }

    private struct JSONDocument: Encodable {
        let file: String
        let parts: [PartJSON]
        let defects: [PlacedDefectJSON]
    }

    // MARK: tree

    /// An indented tree: one line per part, leaves with size, hash and defects beneath.
    func tree() -> String {
        var lines = [file]
        let decodedByPath = Dictionary(leaves.map { ($0.part.path, $0) }, uniquingKeysWith: { first, _ in first })
        var stack: [(MIMEPart, Int)] = [(parsed.root, 1)]
        while let (part, level) = stack.popLast() {
            let indent = String(repeating: "  ", count: level)
            if part.isLeaf, let leaf = decodedByPath[part.path] {
                lines.append(indent + describe(leaf))
                lines += leaf.defects.map { indent + "    ! " + $0.description }
            } else {
                lines.append(indent + (part.path.isEmpty ? "message" : part.path) + "  " + part.contentType.mimeType)
                lines += part.defects.map { indent + "    ! " + $0.description }
            }
            stack.append(contentsOf: part.children.reversed().map { ($0, level + 1) })
        }
        if !alternatives.isEmpty {
            lines.append("  alternative readings (ambiguous message):")
            for leaf in alternatives {
                lines.append("    " + describe(leaf) + "  [" + (leaf.part.reading ?? "") + "]")
            }
        }
        let messageDefects = parsed.defects.filter { $0.path == nil }
        lines += messageDefects.map { "  ! " + $0.description }
        return lines.joined(separator: "\n") + "\n"
    }

    private func describe(_ leaf: Leaf) -> String {
        let part = leaf.part
        var fields = [part.path, part.contentType.mimeType]
        if let charset = part.charset { fields.append("charset=\(charset)") }
        if let filename = part.filename { fields.append("\"\(filename)\"") }
        if let disposition = part.disposition { fields.append(disposition) }
        fields.append(part.transferEncoding)
        fields.append("\(leaf.size) bytes")
        fields.append("sha256:" + leaf.sha256.prefix(16))
        return fields.joined(separator: "  ")
    }
}

/// A leaf part as `mime --json` prints it, keys in the documented order (`scan --json` adds its
/// own after these). Nil optionals are written as null.
struct PartJSON: Encodable {
    let path, contentType: String
    let charset, filename, disposition: String?
    let encoding: String
    let size: Int
    let sha256: String
    let defects: [DefectJSON]

    enum CodingKeys: String, CodingKey {
        case path, contentType = "content_type", charset, filename, disposition, encoding, size, sha256, defects
    }

    init(_ leaf: MimeReport.Leaf) {
        let part = leaf.part
        path = part.path
        contentType = part.contentType.mimeType
        (charset, filename, disposition) = (part.charset, part.filename, part.disposition)
        encoding = part.transferEncoding
        (size, sha256) = (leaf.size, leaf.sha256)
        defects = leaf.defects.map { DefectJSON(name: $0.name, detail: $0.detail) }
    }
}

/// A defect listed under its part: `{"name", "detail"}`.
struct DefectJSON: Encodable {
    let name, detail: String
}

/// A defect not attached to a listed part: `{"name", "detail", "path"}` (path null for the message).
struct PlacedDefectJSON: Encodable {
    let name, detail: String
    let path: String?
}
