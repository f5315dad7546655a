public import MIME

/// Scans a message and attributes what it finds to MIME parts (which attachment carried it).
///
/// Every strategy scans the whole raw message, so nothing our MIME parser misses escapes; they
/// differ in how much else is scanned, and so in cost (`scan-bench engine` prints each against
/// one whole-message scan):
/// - ``Strategy/everyPart`` (default): the whole message with libclamav's own mail decoding plus
///   every decoded leaf and every alternative reading, always: two independent MIME parsers see
///   every message. Measured at about 1.1 times one whole-message scan on clean mail, because
///   libclamav's clean cache (keyed by content hash) recognises a leaf its mail parser decoded the
///   same way; a leaf decoded differently is exactly the one worth the second scan.
/// - ``Strategy/attributeOnFinding``: the whole message with mail decoding plus the leaves of
///   alternative readings (none for ordinary mail); the main leaves only when something was
///   found, to say which part carried it. Clean ordinary mail costs one scan.
/// - ``Strategy/everyPartRaw``: the raw message *without* libclamav's mail decoding plus every
///   leaf and alternative leaf: the cheapest, but encoded attachments are seen only through our parser.
public struct MessageScanner: Sendable {
    /// Which scans a message gets; see ``MessageScanner``.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Whole message with mail decoding, plus every leaf and alternative leaf.
        case everyPart = "every-part"
        /// Whole message with mail decoding and alternative readings; main leaves on a finding.
        case attributeOnFinding = "attribute-on-finding"
        /// Raw message without mail decoding, plus every leaf and alternative leaf.
        case everyPartRaw = "every-part-raw"
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
        let raw = message.message
        var budget = message.makeDecodingBudget()
        let whole: ScanVerdict
        var parts: [MessageScanReport.PartVerdict]
        switch strategy {
        case .attributeOnFinding:
            whole = backend.scan(message: raw, decodingMail: true)
            let alternatives = scan(message.alternativeLeaves, budget: &budget)
            if whole == .clean, ScanVerdict.combining(alternatives.map(\.verdict)) == .clean {
                // libclamav decoded and scanned every part already; nothing to attribute.
                parts = message.leaves.map { part(of: $0, size: 0, scanned: false, verdict: .clean) }
            } else {
                parts = scan(message.leaves, budget: &budget)
            }
            parts += alternatives
        case .everyPart:
            // Parts first: a large message may have to wait its turn for the whole-message scan
            // (ClamAVBackendSettings.mailDecodingBudget), and by then its own parts are done, so
            // the two scan slots overlap one's parts with the other's mail decoding.
            parts = scan(message.leaves + message.alternativeLeaves, budget: &budget)
            whole = backend.scan(message: raw, decodingMail: true)
        case .everyPartRaw:
            parts = scan(message.leaves + message.alternativeLeaves, budget: &budget)
            whole = backend.scan(message: raw, decodingMail: false)
        }
        return MessageScanReport(
            verdict: .combining([whole] + parts.map(\.verdict)), wholeMessage: whole, parts: parts,
            scanCount: 1 + parts.count { $0.scanned })
    }

    /// Decodes and scans each leaf. A leaf cut short by a decoding limit that is otherwise clean
    /// is reported unscannable: part of it was never looked at.
    private func scan(_ leaves: [MIMEPart], budget: inout DecodingBudget) -> [MessageScanReport.PartVerdict] {
        leaves.map { leaf in
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
