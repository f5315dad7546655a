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

    public init(
        scan: ScanVerdict, infectedParts: [String] = [], banned: [BannedHit] = [],
        truncated: Bool = false, signaturesStale: Bool = false
    ) {
        self.scan = scan
        self.infectedParts = infectedParts
        self.banned = banned
        self.truncated = truncated
        self.signaturesStale = signaturesStale
    }
}

/// One banned-content rule that fired on one part.
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
