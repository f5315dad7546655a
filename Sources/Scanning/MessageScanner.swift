import Dispatch
import Foundation
public import MIME
import Synchronization

/// Scans a message and attributes what it finds to MIME parts (which attachment carried it).
///
/// Every strategy puts the message itself through libclamav as well as our own decoded parts, so
/// nothing our MIME parser misses escapes; they differ in how much else is scanned, and so in cost
/// (`scan-bench engine` prints each against one whole-message scan):
/// - ``Strategy/everyPartSkeleton`` (the daemon's): every decoded leaf and alternative leaf, plus
///   the message with libclamav's own mail decoding, from which the bodies of base64 attachments
///   we decoded and scanned are left out. Parts sent as they are (7bit, 8bit, binary) are in the
///   skeleton byte for byte, which libclamav scans raw as well as parsed; they are scanned alone
///   only when something was found, to say which part carried it. Only a body that is nothing but base64 (alphabet, line
///   breaks, final padding: no `-`, so no boundary and no hidden part can sit in it) and decoded
///   without a defect or a limit is left out, and never a text part (libclamav checks the links
///   of HTML only inside mail). The bulk of a large message is then scanned once, decoded, where
///   clamav-milter's clamd scans it three times: the base64 text, libclamav's own decoding, and
///   the decoded attachment (and any archive members in both).
/// - ``Strategy/everyPart``: the whole message with libclamav's own mail decoding plus
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
        /// Every leaf and alternative leaf, plus the message with mail decoding minus the base64
        /// attachment bodies already decoded and scanned.
        case everyPartSkeleton = "every-part-skeleton"
    }

    /// Attachment bodies shorter than this stay in the skeleton: leaving them out saves nothing.
    public static let smallestElidedBody = 1024

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
        case .everyPart where backend.prefersParallelScans, .everyPartRaw where backend.prefersParallelScans:
            let decodingMail = strategy == .everyPart
            (parts, whole) = scanSideBySide(message.leaves + message.alternativeLeaves, budget: &budget) { _ in
                { [backend] in backend.scan(message: raw, decodingMail: decodingMail) }
            }
        case .everyPart:
            // Parts first: a large message may have to wait its turn for the whole-message scan
            // (ClamAVBackendSettings.mailDecodingBudget), and by then its own parts are done, so
            // the two scan slots overlap one's parts with the other's mail decoding.
            parts = scan(message.leaves + message.alternativeLeaves, budget: &budget)
            whole = backend.scan(message: raw, decodingMail: true)
        case .everyPartRaw:
            parts = scan(message.leaves + message.alternativeLeaves, budget: &budget)
            whole = backend.scan(message: raw, decodingMail: false)
        case .everyPartSkeleton:
            let leaves = message.leaves
            var verdicts = [MessageScanReport.PartVerdict?](repeating: nil, count: leaves.count)
            let alternatives: [MessageScanReport.PartVerdict]
            if backend.prefersParallelScans {
                // Every decoded leaf and the skeleton go to the scanner at once: a message costs
                // one round trip to clamd, not one per part.
                let scanned = leaves.indices.filter { !Self.isSentAsIs(leaves[$0]) }
                let all: [MessageScanReport.PartVerdict]
                (all, whole) = scanSideBySide(scanned.map { leaves[$0] } + message.alternativeLeaves, budget: &budget) { decoded in
                    let elided = decoded.filter { Self.mayElide($0.leaf, $0.content) }.map(\.leaf.bodyRange)
                    let skeleton = Self.skeleton(of: raw, leavingOut: elided)
                    return { [backend] in backend.scan(message: skeleton, decodingMail: true) }
                }
                for (position, index) in scanned.enumerated() { verdicts[index] = all[position] }
                alternatives = Array(all.dropFirst(scanned.count))
            } else {
                var elided: [Range<Int>] = []
                for (index, leaf) in leaves.enumerated() where !Self.isSentAsIs(leaf) {
                    verdicts[index] = scan([leaf], budget: &budget) { leaf, content in
                        if Self.mayElide(leaf, content) { elided.append(leaf.bodyRange) }
                    }.first
                }
                alternatives = scan(message.alternativeLeaves, budget: &budget)
                whole = backend.scan(message: Self.skeleton(of: raw, leavingOut: elided), decodingMail: true)
            }
            // A part sent as it is holds the same bytes in the skeleton, which libclamav scans
            // both raw and through its mail parser: scanned on its own only to name it.
            for (index, leaf) in leaves.enumerated() where verdicts[index] == nil {
                verdicts[index] = whole == .clean
                    ? part(of: leaf, size: 0, scanned: false, verdict: .clean)
                    : scan([leaf], budget: &budget).first
            }
            parts = verdicts.compactMap { $0 } + alternatives
        }
        return MessageScanReport(
            verdict: .combining([whole] + parts.map(\.verdict)), wholeMessage: whole, parts: parts,
            scanCount: 1 + parts.count { $0.scanned })
    }

    /// How many scans `message` sends to the backend at once: with a backend that prefers side-by-
    /// side scans, every leaf scanned on its own plus the whole-message (or skeleton) scan;
    /// otherwise one, since they go one after another.
    public func scansAtOnce(_ message: ParsedMessage) -> Int {
        guard backend.prefersParallelScans else { return 1 }
        switch strategy {
        case .attributeOnFinding: return 1
        case .everyPart, .everyPartRaw: return message.leaves.count + message.alternativeLeaves.count + 1
        case .everyPartSkeleton: return message.leaves.count { !Self.isSentAsIs($0) } + message.alternativeLeaves.count + 1
        }
    }

    /// Decodes and scans each leaf. A leaf cut short by a decoding limit that is otherwise clean
    /// is reported unscannable: part of it was never looked at.
    private func scan(
        _ leaves: [MIMEPart], budget: inout DecodingBudget, decoded: (MIMEPart, DecodedContent) -> Void = { _, _ in }
    ) -> [MessageScanReport.PartVerdict] {
        leaves.map { leaf in
            let content = leaf.decode(budget: &budget)
            decoded(leaf, content)
            return verdict(of: leaf, content, content.bytes.isEmpty ? .clean : backend.scan(content.bytes[...]))
        }
    }

    /// What scanning `content`, decoded from `leaf`, found: a clean verdict on content cut short
    /// by a decoding limit is unscannable, because part of it was never looked at.
    private func verdict(of leaf: MIMEPart, _ content: DecodedContent, _ scanned: ScanVerdict) -> MessageScanReport.PartVerdict {
        var verdict = scanned
        if content.isTruncated, verdict == .clean {
            verdict = .unscannable(UnscannableReason(.limitExceeded, "part \(leaf.path) decoded beyond the size limit"))
        }
        return part(of: leaf, size: content.bytes.count, scanned: !content.bytes.isEmpty, verdict: verdict)
    }

    /// Decodes every leaf first, then scans the leaves and the one whole-message scan `whole`
    /// makes from them side by side, each on its own thread: for a backend whose scans wait on
    /// another host, the message takes as long as its slowest scan instead of their sum.
    private func scanSideBySide(
        _ leaves: [MIMEPart], budget: inout DecodingBudget,
        whole: ([(leaf: MIMEPart, content: DecodedContent)]) -> @Sendable () -> ScanVerdict
    ) -> (parts: [MessageScanReport.PartVerdict], whole: ScanVerdict) {
        let decoded = leaves.map { (leaf: $0, content: $0.decode(budget: &budget)) }
        var jobs: [@Sendable () -> ScanVerdict] = decoded.map { item in
            let bytes = item.content.bytes
            return { [backend] in bytes.isEmpty ? .clean : backend.scan(bytes[...]) }
        }
        jobs.append(whole(decoded))
        let verdicts = Self.runSideBySide(jobs)
        let parts = decoded.indices.map { verdict(of: decoded[$0].leaf, decoded[$0].content, verdicts[$0]) }
        return (parts, verdicts[decoded.count])
    }

    /// Runs `jobs` at once, the last on the calling thread and each other on a thread of its
    /// own (a scan here blocks on a socket, so a shared pool sized to the cores would queue them),
    /// and returns their results in order.
    static func runSideBySide(_ jobs: [@Sendable () -> ScanVerdict]) -> [ScanVerdict] {
        guard let last = jobs.last else { return [] }
        guard jobs.count > 1 else { return [last()] }
        let results = VerdictSlots(count: jobs.count)
        let group = DispatchGroup()
        for index in jobs.indices.dropLast() {
            group.enter()
            let job = jobs[index]
            Thread.detachNewThread {
                let verdict = job()
                results.slots.withLock { $0[index] = verdict }
                group.leave()
            }
        }
        let verdict = last()
        group.wait()
        return results.slots.withLock { all in
            all[jobs.count - 1] = verdict
            return all
        }
    }

    /// Whether `leaf` is a main-reading part whose body is its content (7bit, 8bit, binary), so
    /// that the skeleton carries exactly the bytes a decode would give.
    static func isSentAsIs(_ leaf: MIMEPart) -> Bool {
        guard leaf.reading == nil, leaf.children.isEmpty else { return false }
        switch leaf.transferEncoding.lowercased() {
        case "7bit", "8bit", "binary": return true
        default: return false
        }
    }

    /// Whether the skeleton may leave out `leaf`'s body: a main-reading attachment whose whole
    /// body was base64 and nothing else (any other character, misplaced padding or a cut-short
    /// decode is a defect), so that its decoded bytes, scanned in full, are all it could hold.
    static func mayElide(_ leaf: MIMEPart, _ content: DecodedContent) -> Bool {
        guard leaf.reading == nil, leaf.children.isEmpty, leaf.bodyRange.count >= smallestElidedBody,
              leaf.transferEncoding.lowercased() == "base64", content.defects.isEmpty, !content.isTruncated,
              !content.bytes.isEmpty
        else { return false }
        let type = leaf.contentType.mimeType.lowercased()
        return !type.hasPrefix("text/") && !type.hasPrefix("message/") && !type.hasPrefix("multipart/")
    }

    /// `message` without the byte ranges `elided` (bodies, so every header and boundary stays);
    /// `message` itself when nothing is left out.
    static func skeleton(of message: MessageBytes, leavingOut elided: [Range<Int>]) -> MessageBytes {
        guard !elided.isEmpty else { return message }
        let sorted = elided.sorted { $0.lowerBound < $1.lowerBound }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(message.count - sorted.reduce(0) { $0 + $1.count })
        var cursor = 0
        for range in sorted where range.lowerBound >= cursor && range.upperBound <= message.count {
            bytes += message.copyBytes(cursor..<range.lowerBound)
            cursor = range.upperBound
        }
        bytes += message.copyBytes(cursor..<message.count)
        return MessageBytes(bytes)
    }

    private func part(of leaf: MIMEPart, size: Int, scanned: Bool, verdict: ScanVerdict) -> MessageScanReport.PartVerdict {
        MessageScanReport.PartVerdict(
            path: leaf.path, reading: leaf.reading, filename: leaf.filename,
            contentType: leaf.contentType.mimeType, size: size, scanned: scanned, verdict: verdict)
    }
}

/// The results of scans running side by side, one slot each, filled by their threads.
private final class VerdictSlots: Sendable {
    let slots: Mutex<[ScanVerdict]>

    init(count: Int) {
        slots = Mutex([ScanVerdict](repeating: .clean, count: count))
    }
}
