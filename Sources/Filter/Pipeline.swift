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
    /// Which policy (actions, replies, type and archive rules) applies to which recipient.
    public let policies: RecipientPolicies
    /// When the loaded signatures were built; nil when unknown (e.g. behind clamd).
    public let signatureBuildTime: @Sendable () -> Date?
    /// Messages that killed scan workers: after two crashes a message is not scanned again.
    public let poison: PoisonRegistry

    public init(
        parser: MIMEParser, scanner: MessageScanner, detector: TypeDetector, policies: RecipientPolicies,
        signatureBuildTime: @escaping @Sendable () -> Date?, poison: PoisonRegistry = PoisonRegistry()
    ) {
        self.poison = poison
        self.parser = parser
        self.scanner = scanner
        self.detector = detector
        self.policies = policies
        self.signatureBuildTime = signatureBuildTime
    }

    /// The file's own policy (the one an offline scan and a message that could not be read use).
    public var policy: Policy { policies.standard.policy }

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
        /// What was found under the rules of the policy whose decision is carried out.
        public var findings: Findings
        /// The decision carried out for the message as delivered (``MessagePlan/decision``).
        public var decision: Decision
        /// Every recipient's decision and how they combine.
        public var plan: MessagePlan
        /// The parsed message, for actions that rewrite it (strip) or store it (quarantine).
        public var parsed: ParsedMessage
        /// Per-part verdicts from the scanner.
        public var report: MessageScanReport
        /// Detected type of each leaf by path (including alternative readings' leaves).
        public var detectedTypes: [String: DetectedType]
        /// Milliseconds spent per stage: parse, types, scan, policy.
        public var timings: StageTimings
    }

    /// Runs every stage on `message`; `truncated` says it was cut at the size limit. Each
    /// recipient is judged by its own policy (the default alone when `recipients` is empty); the
    /// type rules run once per distinct rule set, the scan once. `enterScanStage` is called
    /// between type detection and the scan with the number of scans the message will send at
    /// once: the daemon moves the message from its local slot to the scanner's there
    /// (``ScanAdmission``); when it returns false (no room at the scanner in time) the message
    /// is unscannable.
    public func evaluate(
        _ message: MessageBytes, truncated: Bool, queueID: String, sender: String = "", recipients: [String] = [],
        enterScanStage: (_ scans: Int) -> Bool = { _ in true }
    ) -> Result {
        var timings = StageTimings()
        let parsed = timings.measure(\.parse) { parser.parse(message) }
        let groups = policies.grouped(recipients)
        var ruleSetsUsed: [Int] = []
        for group in groups where !ruleSetsUsed.contains(group.policy.ruleSet) { ruleSetsUsed.append(group.policy.ruleSet) }
        // Only after a crash is on record does a message's fingerprint cost anything.
        let fingerprint = poison.isEmpty ? nil : PoisonRegistry.fingerprint(message)
        if let fingerprint, case let crashes = poison.crashes(of: fingerprint), crashes >= poison.limit {
            return poisoned(
                parsed, timings: timings, crashes: crashes, truncated: truncated, queueID: queueID, sender: sender, recipients: recipients)
        }

        var detected: [String: DetectedType] = [:]
        var byLeaf: [Int: DetectedType] = [:]
        var banned: [Int: [BannedHit]] = [:]
        var harmless: [Int: [BannedHit]] = [:]
        var typeFailure: String?
        var opened: [OpenedArchive] = []
        var members: [(partPath: String, content: [UInt8])] = []
        timings.measure(\.types) {
            for index in ruleSetsUsed {
                let rules = policies.ruleSets[index]
                let pass = typePass(parsed, rules: rules, detected: &detected, byLeaf: &byLeaf, typeFailure: &typeFailure)
                banned[index] = pass.banned
                harmless[index] = pass.harmless
                // Archives a password opened: the same under any rules that open them; scanned once.
                for archive in pass.opened where !opened.contains(where: { $0.partPath == archive.partPath }) {
                    opened.append(archive)
                    members += pass.members.filter { $0.partPath == archive.partPath }
                }
            }
        }
        return finish(
            parsed, timings: timings, detected: detected, banned: banned, harmless: harmless, typeFailure: typeFailure,
            opened: opened, members: members, truncated: truncated, queueID: queueID, sender: sender, recipients: recipients,
            message: message, fingerprint: fingerprint, enterScanStage: enterScanStage)
    }

    /// What one set of type and archive rules found in the leaves.
    struct TypePass {
        var banned: [BannedHit] = []
        var harmless: [BannedHit] = []
        var opened: [OpenedArchive] = []
        var members: [(partPath: String, content: [UInt8])] = []
    }

    /// Detects each leaf's type (once: kept in `byLeaf`, by the leaf's place, for later passes;
    /// an alternative reading's leaf may share a path with another) and applies `rules`.
    private func typePass(
        _ parsed: ParsedMessage, rules: RuleSet, detected: inout [String: DetectedType], byLeaf: inout [Int: DetectedType],
        typeFailure: inout String?
    ) -> TypePass {
        let typeRules = rules.typeRules, archives = rules.archives
        var pass = TypePass()
        do {
            var budget = parsed.makeDecodingBudget()
            var passwords = MessagePasswords(message: parsed, budget: archives?.makePasswordBudget() ?? .init(tries: 0, bytes: 0))
            for (place, leaf) in (parsed.leaves + parsed.alternativeLeaves).enumerated() {
                // libmagic reads only the start: decode just that much (an archive is decoded
                // whole below, to list its members).
                var prefixBudget = DecodingBudget(remaining: detector.configuration.prefixLength)
                let prefix = leaf.decode(budget: &prefixBudget)
                var type: DetectedType? = byLeaf[place]
                if type == nil, !prefix.bytes.isEmpty {
                    do {
                        type = try detector.detect(prefix.bytes[...])
                    } catch {
                        typeFailure = "\(error)"
                    }
                }
                if let type {
                    detected[leaf.path] = type
                    byLeaf[place] = type
                }
                var traits = ContentTraits.none
                var archiveHits: [BannedHit] = []
                if let type {
                    let look = look(
                        inside: leaf, detected: type, prefix: prefix, budget: &budget, passwords: &passwords, rules: rules)
                    (traits, archiveHits) = (look.traits, look.hits)
                    if let password = look.password {
                        pass.opened.append(OpenedArchive(partPath: leaf.path, filename: leaf.filename, password: password))
                        pass.members += look.members.map { (partPath: leaf.path, content: $0.content) }
                    }
                }
                let declared = leaf.contentType.mimeType
                for hit in typeRules.evaluate(detected: type, fileName: leaf.filename, declaredContentType: declared, traits: traits) {
                    let record = BannedHit(rule: hit.name, partPath: leaf.path, filename: leaf.filename)
                    if hit.isHarmless { pass.harmless.append(record) } else { pass.banned.append(record) }
                }
                pass.banned += archiveHits
            }
        }
        return pass
    }

    /// A poison message: not scanned; every recipient's policy decides on a scanner crash.
    private func poisoned(
        _ parsed: ParsedMessage, timings: StageTimings, crashes: Int, truncated: Bool, queueID: String, sender: String,
        recipients: [String]
    ) -> Result {
        var timings = timings
        let scan = ScanVerdict.unscannable(
            UnscannableReason(.scannerCrash, "this message killed scan workers \(crashes) times within a day; not scanned again"))
        let plan = timings.measure(\.policy) {
            policies.plan(sender: sender, recipients: recipients, queueID: queueID) { _ in Findings(scan: scan, truncated: truncated) }
        }
        return Result(
            findings: plan.decidingFindings ?? Findings(scan: scan, truncated: truncated), decision: plan.decision, plan: plan,
            parsed: parsed, report: MessageScanReport(verdict: scan, wholeMessage: scan, parts: [], scanCount: 0), detectedTypes: [:],
            timings: timings)
    }

    /// The scan (once for every recipient), then each policy's findings and decision.
    private func finish(
        _ parsed: ParsedMessage, timings: StageTimings, detected: [String: DetectedType], banned: [Int: [BannedHit]],
        harmless: [Int: [BannedHit]], typeFailure: String?, opened: [OpenedArchive],
        members: [(partPath: String, content: [UInt8])], truncated: Bool, queueID: String, sender: String, recipients: [String],
        message: MessageBytes, fingerprint: String?, enterScanStage: (_ scans: Int) -> Bool
    ) -> Result {
        var timings = timings
        // One crash of a scan worker ends this message's scans (CrashLatch).
        let latch = CrashLatch(scanner.backend)
        let admitted = timings.measure(\.scan) { enterScanStage(scanner.scansAtOnce(parsed)) }
        let members = admitted ? members : []
        let report = timings.measure(\.scan) {
            admitted ? MessageScanner(backend: latch, strategy: scanner.strategy).scan(parsed) : Self.scannerBusy
        }
        // Members of archives opened with a password: ClamAV could not open those archives.
        let memberVerdicts = timings.measure(\.scan) {
            members.map { (partPath: $0.partPath, verdict: $0.content.isEmpty ? ScanVerdict.clean : latch.scan($0.content[...])) }
        }
        var scanVerdict = ScanVerdict.combining([report.verdict] + memberVerdicts.map(\.verdict))
        if case .unscannable(let reason) = scanVerdict, reason.code == .workerCrashed {
            poison.record(fingerprint ?? PoisonRegistry.fingerprint(message))
        }
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
        let built = signatureBuildTime()
        let plan = timings.measure(\.policy) {
            policies.plan(sender: sender, recipients: recipients, queueID: queueID) { policy in
                var stale = false
                if policy.maxSignatureAge > 0, let built {
                    stale = Date().timeIntervalSince(built) > policy.maxSignatureAge
                }
                return Findings(
                    scan: scanVerdict, infectedParts: infectedParts, banned: banned[policy.ruleSet] ?? [], truncated: truncated,
                    signaturesStale: stale, harmlessMismatches: harmless[policy.ruleSet] ?? [], openedArchives: opened)
            }
        }
        let findings = plan.decidingFindings ?? Findings(scan: scanVerdict, truncated: truncated, openedArchives: opened)
        return Result(
            findings: findings, decision: plan.decision, plan: plan, parsed: parsed, report: report, detectedTypes: detected,
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
        passwords: inout MessagePasswords, rules: RuleSet
    ) -> Look {
        let typeRules = rules.typeRules, archives = rules.archives
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
