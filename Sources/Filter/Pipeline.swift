import Archives
public import FileMagic
public import Foundation
public import MIME
public import Scanning

/// The end-of-message work: parse the MIME structure, find each leaf's true type, apply the
/// type rules, scan, and hand the findings to the policy. One per process, shared by every
/// connection: it holds only immutable values and thread-safe services.
public struct Pipeline: Sendable {
    /// The MIME parser with its limits.
    public let parser: MIMEParser
    /// Scans the raw message and each decoded leaf, attributing findings to parts.
    public let scanner: MessageScanner
    /// libmagic, pooled.
    public let detector: TypeDetector
    /// Banned types and names, type mismatches.
    public let typeRules: TypeRules
    /// The policy that turns findings into a decision.
    public let policy: Policy
    /// `[policy] max_signature_age` in seconds (0: never stale).
    public let maxSignatureAge: Double
    /// When the loaded signatures were built; nil when unknown (e.g. behind clamd).
    public let signatureBuildTime: @Sendable () -> Date?
    /// Lists names and types inside archive attachments; nil when `[policy] check_archives` is off.
    public let archives: ArchiveRules?

    public init(
        parser: MIMEParser, scanner: MessageScanner, detector: TypeDetector, typeRules: TypeRules,
        policy: Policy, maxSignatureAge: Double, signatureBuildTime: @escaping @Sendable () -> Date?,
        archives: ArchiveRules? = nil
    ) {
        self.archives = archives
        self.parser = parser
        self.scanner = scanner
        self.detector = detector
        self.typeRules = typeRules
        self.policy = policy
        self.maxSignatureAge = maxSignatureAge
        self.signatureBuildTime = signatureBuildTime
    }

    /// The report for a message that found no room at the scanner in time.
    static let scannerBusy: MessageScanReport = {
        let busy = ScanVerdict.unscannable(UnscannableReason(.timeout, "scanner busy: no room at the clamd pool in time"))
        return MessageScanReport(verdict: busy, wholeMessage: busy, parts: [], scanCount: 0)
    }()

    /// Parser defects that mean part of the message was not parsed.
    static let parseLimitDefects: Set<String> = [
        MIMEDefect.Name.nestingTooDeep, .tooManyParts, .tooManyAlternativeReadings, .headerTooLong, .tooManyHeaderFields,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    /// What the pipeline learnt and decided about one message.
    public struct Result: Sendable {
        public var findings: Findings
        public var decision: Decision
        /// The parsed message, for actions that rewrite it (strip) or store it (quarantine).
        public var parsed: ParsedMessage
        /// Per-part verdicts from the scanner.
        public var report: MessageScanReport
        /// Detected type of each leaf by path (including alternative readings' leaves).
        public var detectedTypes: [String: DetectedType]
        /// Milliseconds spent per stage: parse, types, scan, policy.
        public var timings: StageTimings
    }

    /// Runs every stage on `message`; `truncated` says it was cut at the size limit.
    /// `enterScanStage` is called between type detection and the scan with the number of scans
    /// the message will send at once: the daemon moves the message from its local slot to the
    /// scanner's there (``ScanAdmission``); when it returns false (no room at the scanner in
    /// time) the message is unscannable.
    public func evaluate(
        _ message: MessageBytes, truncated: Bool, queueID: String, enterScanStage: (_ scans: Int) -> Bool = { _ in true }
    ) -> Result {
        var timings = StageTimings()
        let parsed = timings.measure(\.parse) { parser.parse(message) }

        var detected: [String: DetectedType] = [:]
        var banned: [BannedHit] = []
        var harmless: [BannedHit] = []
        var typeFailure: String?
        var opened: [OpenedArchive] = []
        var members: [(partPath: String, content: [UInt8])] = []
        timings.measure(\.types) {
            var budget = parsed.makeDecodingBudget()
            var passwords = MessagePasswords(message: parsed, budget: archives?.makePasswordBudget() ?? .init(tries: 0, bytes: 0))
            for leaf in parsed.leaves + parsed.alternativeLeaves {
                // libmagic reads only the start: decode just that much (an archive is decoded
                // whole below, to list its members).
                var prefixBudget = DecodingBudget(remaining: detector.configuration.prefixLength)
                let prefix = leaf.decode(budget: &prefixBudget)
                var type: DetectedType?
                if !prefix.bytes.isEmpty {
                    do {
                        type = try detector.detect(prefix.bytes[...])
                    } catch {
                        typeFailure = "\(error)"
                    }
                }
                if let type { detected[leaf.path] = type }
                var traits = ContentTraits.none
                var archiveHits: [BannedHit] = []
                if let type {
                    let look = look(inside: leaf, detected: type, prefix: prefix, budget: &budget, passwords: &passwords)
                    (traits, archiveHits) = (look.traits, look.hits)
                    if let password = look.password {
                        opened.append(OpenedArchive(partPath: leaf.path, filename: leaf.filename, password: password))
                        members += look.members.map { (partPath: leaf.path, content: $0.content) }
                    }
                }
                let declared = leaf.contentType.mimeType
                for hit in typeRules.evaluate(detected: type, fileName: leaf.filename, declaredContentType: declared, traits: traits) {
                    let record = BannedHit(rule: hit.name, partPath: leaf.path, filename: leaf.filename)
                    if hit.isHarmless { harmless.append(record) } else { banned.append(record) }
                }
                banned += archiveHits
            }
        }

        let admitted = timings.measure(\.scan) { enterScanStage(scanner.scansAtOnce(parsed)) }
        if !admitted { members = [] }
        let report = timings.measure(\.scan) { admitted ? scanner.scan(parsed) : Self.scannerBusy }
        // Members of archives opened with a password: ClamAV could not open those archives.
        let memberVerdicts = timings.measure(\.scan) {
            members.map { (partPath: $0.partPath, verdict: $0.content.isEmpty ? ScanVerdict.clean : scanner.backend.scan($0.content[...])) }
        }
        var scanVerdict = ScanVerdict.combining([report.verdict] + memberVerdicts.map(\.verdict))
        if let typeFailure, scanVerdict == .clean {
            // A leaf whose type could not be told may be exactly what the type rules exist for.
            scanVerdict = .unscannable(UnscannableReason(.engineError, "type detection: \(typeFailure)"))
        }
        if scanVerdict == .clean, let limit = parsed.defects.first(where: { Self.parseLimitDefects.contains($0.name) }) {
            // Past a parser limit part of the message was not taken apart: it was scanned, but not
            // seen as a mail client would see it, so it is not "clean" either.
            scanVerdict = .unscannable(UnscannableReason(.limitExceeded, "MIME \(limit.name)"))
        }
        var infectedParts: [String] = []
        for part in report.infectedParts where part.reading == nil && !infectedParts.contains(part.path) {
            infectedParts.append(part.path)
        }
        for member in memberVerdicts where !infectedParts.contains(member.partPath) {
            if case .infected = member.verdict { infectedParts.append(member.partPath) }
        }
        if report.infectedParts.contains(where: { $0.reading != nil }) {
            // Found only under another reading of an ambiguous message: no single part of the
            // main reading can be cut out, so strip must not be chosen (the policy falls back).
            infectedParts = []
        }
        var stale = false
        if maxSignatureAge > 0, let built = signatureBuildTime() {
            stale = Date().timeIntervalSince(built) > maxSignatureAge
        }
        let findings = Findings(
            scan: scanVerdict, infectedParts: infectedParts, banned: banned, truncated: truncated,
            signaturesStale: stale, harmlessMismatches: harmless, openedArchives: opened)
        let decision = timings.measure(\.policy) { policy.decide(findings, queueID: queueID) }
        return Result(
            findings: findings, decision: decision, parsed: parsed, report: report, detectedTypes: detected,
            timings: timings)
    }
}

extension Pipeline {
    /// What a leaf's content can do beyond its type, and the rules that fire inside it when it
    /// is an archive. `prefix` is what was decoded for libmagic; more is decoded from `budget`
    /// only where it matters: archives (to list them) and office documents and markup (macros
    /// and script can sit anywhere in the file, not only in libmagic's prefix).
    func look(
        inside leaf: MIMEPart, detected: DetectedType, prefix: DecodedContent, budget: inout DecodingBudget,
        passwords: inout MessagePasswords
    ) -> Look {
        if ArchiveRules.isArchive(detected) {
            guard let archives else {
                // Not opened (check_archives off): what it holds is unknown, so a label that
                // hides it is not taken for harmless.
                return Look(traits: ContentTraits(riskyArchive: true))
            }
            let inspection = archives.check(
                leaf.decode(budget: &budget).bytes, of: leaf, detector: detector, typeRules: typeRules, passwords: &passwords)
            return Look(
                traits: ContentTraits(riskyArchive: inspection.risky), hits: inspection.hits, password: inspection.password,
                members: inspection.members)
        }
        // A part without a file name is shown as what it declares (an HTML newsletter sent as
        // text/plain is displayed as text): its script never runs, so it is not looked for.
        let scriptCanRun = leaf.filename != nil
        guard typeRules.reportsMismatches, ContentTraits.needsContent(detected, scriptCanRun: scriptCanRun) else {
            return Look(traits: .none)
        }
        let whole = prefix.isTruncated || prefix.bytes.count >= detector.configuration.prefixLength
            ? leaf.decode(budget: &budget).bytes : prefix.bytes
        return Look(traits: ContentTraits.examine(whole[...], detected: detected, scriptCanRun: scriptCanRun))
    }

    /// What looking at one leaf found.
    struct Look {
        /// What its content can do beyond its type.
        var traits: ContentTraits
        /// The rules that fired inside it (an archive).
        var hits: [BannedHit] = []
        /// The password from the message that opened it (an encrypted archive), if one did.
        var password: String?
        /// The members of an archive a password opened, for ClamAV.
        var members: [(path: String, content: [UInt8])] = []
    }
}

/// Milliseconds per pipeline stage, for the summary log line.
public struct StageTimings: Sendable, Equatable {
    public var parse = 0.0
    public var types = 0.0
    public var scan = 0.0
    public var policy = 0.0

    public init() {}

    mutating func measure<T>(_ stage: WritableKeyPath<StageTimings, Double>, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            self[keyPath: stage] += Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        }
        return try body()
    }
}
