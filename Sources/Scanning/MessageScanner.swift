public import MIME

/// Scans a message and attributes what it finds to MIME parts (which attachment carried it).
///
/// Two strategies, both scanning the whole raw message (so nothing our parser misses escapes):
/// - ``Strategy/attributeOnFinding``: one scan of the whole message with the backend's own mail
///   decoding; the decoded leaves are scanned only when that scan is not clean, to say which part
///   carried the finding. Clean mail costs one scan.
/// - ``Strategy/everyPart``: the raw message without the backend's mail decoding, plus every
///   decoded leaf and every alternative reading of an ambiguous message, always; a finding in any
///   counts. Guards against a message that our parser and libclamav's read differently, at about
///   the same cost (libclamav's mail decoding is replaced by ours); `scan-bench engine` measures it.
public struct MessageScanner: Sendable {
    /// Which scans a message gets; see ``MessageScanner``.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Whole message with mail decoding; leaves only to attribute a finding.
        case attributeOnFinding = "attribute-on-finding"
        /// Raw message without mail decoding, plus every leaf and alternative leaf.
        case everyPart = "every-part"
    }

    /// The scanner behind this one.
    public let backend: any ScanBackend
    /// Which scans a message gets.
    public let strategy: Strategy

    /// A message scanner over `backend`.
    public init(backend: any ScanBackend, strategy: Strategy = .everyPart) {
        self.backend = backend
        self.strategy = strategy
    }

    /// Scans `message` (already parsed) and reports the overall and per-part verdicts.
    public func scan(_ message: ParsedMessage) -> MessageScanReport {
        let raw = message.message.copyBytes(0..<message.message.count)
        let leaves = message.leaves + message.alternativeLeaves
        switch strategy {
        case .attributeOnFinding:
            let whole = backend.scan(raw[...])
            guard whole != .clean else {
                let parts = leaves.map { part(of: $0, size: 0, scanned: false, verdict: .clean) }
                return MessageScanReport(verdict: .clean, wholeMessage: whole, parts: parts, scanCount: 1)
            }
            let parts = scanLeaves(leaves, of: message)
            return MessageScanReport(
                verdict: .combining([whole] + parts.map(\.verdict)), wholeMessage: whole, parts: parts,
                scanCount: 1 + parts.count)
        case .everyPart:
            let whole = backend.scanRawMessage(raw[...])
            let parts = scanLeaves(leaves, of: message)
            return MessageScanReport(
                verdict: .combining([whole] + parts.map(\.verdict)), wholeMessage: whole, parts: parts,
                scanCount: 1 + parts.count)
        }
    }

    /// Decodes and scans each leaf. A leaf cut short by a decoding limit that is otherwise clean
    /// is reported unscannable: part of it was never looked at.
    private func scanLeaves(_ leaves: [MIMEPart], of message: ParsedMessage) -> [MessageScanReport.PartVerdict] {
        var budget = message.makeDecodingBudget()
        return leaves.map { leaf in
            let content = leaf.decode(budget: &budget)
            var verdict = content.bytes.isEmpty ? .clean : backend.scan(content.bytes[...])
            if content.isTruncated, verdict == .clean {
                verdict = .unscannable(UnscannableReason(.limitExceeded, "part \(leaf.path) decoded beyond the size limit"))
            }
            return part(of: leaf, size: content.bytes.count, scanned: !content.bytes.isEmpty, verdict: verdict)
        }
    }

    private func part(of leaf: MIMEPart, size: Int, scanned: Bool, verdict: ScanVerdict) -> MessageScanReport.PartVerdict {
        MessageScanReport.PartVerdict(
            path: leaf.path, reading: leaf.reading, filename: leaf.filename,
            contentType: leaf.contentType.mimeType, size: size, scanned: scanned, verdict: verdict)
    }
}
