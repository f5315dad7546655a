public import Scanning

/// Everything the end-of-message pipeline learnt about one message, for the policy to judge.
public struct Findings: Sendable, Equatable {
    /// The verdict over every scan of the message (raw message, each leaf, each alternative reading).
    public var scan: ScanVerdict
    /// MIME paths ("1.2") of the parts a virus was attributed to; empty when only the raw
    /// message scan matched.
    public var infectedParts: [String]
    /// Banned-content rules that fired.
    public var banned: [BannedHit]
    /// The message was cut at `max_message_size`: only a prefix was scanned.
    public var truncated: Bool
    /// The loaded signatures are older than `[policy] max_signature_age`.
    public var signaturesStale: Bool
    /// Names or declared types that disagree with harmless content (a PNG named `.jpg`): kept
    /// for the log, the header and the metrics; the policy never refuses a message for them.
    public var harmlessMismatches: [BannedHit]
    /// Encrypted archives opened with a password from the message: their members were scanned
    /// and checked like an unencrypted archive's.
    public var openedArchives: [OpenedArchive]

    public init(
        scan: ScanVerdict, infectedParts: [String] = [], banned: [BannedHit] = [],
        truncated: Bool = false, signaturesStale: Bool = false, harmlessMismatches: [BannedHit] = [],
        openedArchives: [OpenedArchive] = []
    ) {
        self.openedArchives = openedArchives
        self.scan = scan
        self.infectedParts = infectedParts
        self.banned = banned
        self.truncated = truncated
        self.signaturesStale = signaturesStale
        self.harmlessMismatches = harmlessMismatches
    }

    /// The harmless mismatches as one line: `rule (part name), ...`, each rule once per part.
    public var harmlessMismatchSummary: String {
        var seen: [String] = []
        for hit in harmlessMismatches {
            let entry = "\(hit.rule) (\(hit.partPath)\(hit.filename.map { " \($0)" } ?? ""))"
            if !seen.contains(entry) { seen.append(entry) }
        }
        return seen.joined(separator: ", ")
    }
}

/// One type rule that fired on one part: a ban in ``Findings/banned``, a harmless
/// disagreement in ``Findings/harmlessMismatches``.
public struct BannedHit: Sendable, Equatable {
    /// The rule's name as replies and logs show it, e.g. `banned-extension:exe`.
    public var rule: String
    /// The MIME path of the part ("1.2"), or of the archive holding the named member.
    public var partPath: String
    /// The part's (or archive member's) file name, when it has one.
    public var filename: String?

    public init(rule: String, partPath: String, filename: String? = nil) {
        self.rule = rule
        self.partPath = partPath
        self.filename = filename
    }
}

/// An encrypted archive that a password found in the message opened.
public struct OpenedArchive: Sendable, Equatable {
    /// The MIME path of the archive's part ("1.2").
    public var partPath: String
    /// The archive's file name, when it has one.
    public var filename: String?
    /// The candidate that opened it.
    public var password: String

    public init(partPath: String, filename: String? = nil, password: String) {
        self.partPath = partPath
        self.filename = filename
        self.password = password
    }

    /// "opened with a password from the message" and where, for logs and findings.
    public var summary: String {
        "\(partPath)\(filename.map { " \($0)" } ?? ""): opened with a password from the message"
    }
}
