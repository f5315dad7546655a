/// What a fresh scan of a message says just before it is released.
public enum RescanResult: Sendable, Equatable {
    /// Nothing found with the current signatures and rules.
    case clean
    /// The current signatures find these viruses.
    case infected([String])
    /// These banned-type rules match now.
    case banned([String])
    /// The scanner could not decide (and why).
    case unscannable(String)

    /// Why this result keeps a message held, or nil when it does not.
    var holdReason: String? {
        switch self {
        case .clean: return nil
        case .infected(let names): return "rescan finds it infected: " + names.joined(separator: ", ")
        case .banned(let rules): return "rescan finds it banned: " + rules.joined(separator: ", ")
        case .unscannable(let reason): return "rescan cannot scan it: " + reason
        }
    }
}

/// How to release: where to, by whom, and whether to override a rescan.
public struct ReleaseOptions: Sendable {
    /// `HOST:PORT` of the relay (`[quarantine] release_relay`).
    public var relay: String
    /// Send to these addresses instead of the original recipients (`--to`); nil keeps the envelope.
    public var recipients: [String]?
    /// The login name recorded in the release history.
    public var releasedBy: String
    /// Release even when the rescan finds something (`--force`).
    public var force: Bool
    /// Only say what would happen (`--dry-run`): no rescan result is acted on, nothing is sent.
    public var dryRun: Bool
    /// Seconds to wait for the relay on every step.
    public var timeout: Double
    /// The name given in EHLO; nil for this host's name.
    public var heloName: String?
    /// Where the release was asked from, for the audit log: `cli@HOST` or a client's address.
    public var origin: String
    /// Why, for the audit log; expected when `force` overrides a rescan.
    public var reason: String

    /// Release options; only the relay and the user are required.
    public init(
        relay: String, recipients: [String]? = nil, releasedBy: String, force: Bool = false, dryRun: Bool = false,
        timeout: Double = 60, heloName: String? = nil, origin: String = QuarantineStore.cliOrigin, reason: String = ""
    ) {
        self.relay = relay
        self.recipients = recipients
        self.releasedBy = releasedBy
        self.force = force
        self.dryRun = dryRun
        self.timeout = timeout
        self.heloName = heloName
        self.origin = origin
        self.reason = reason
    }
}

/// What a release did. A failure to do anything at all (unknown id, not held) is an error instead.
public enum ReleaseOutcome: Sendable, Equatable {
    /// Delivered to the relay (or released from the hold queue), recorded.
    case released(ReleaseRecord)
    /// `--dry-run`: it would go to these recipients through this relay; the rescan said this.
    case wouldRelease(recipients: [String], relay: String, rescan: RescanResult?)
    /// Still held: the rescan found something and `--force` was not given.
    case keptHeld(reason: String)
    /// Still held: the relay refused or could not be reached; the attempt is recorded.
    case refused(reason: String, record: ReleaseRecord)
}
