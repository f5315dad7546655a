/// What the MTA offers a connection at negotiation (`xxfi_negotiate`'s `f0` and `f1`).
public struct NegotiationOffer: Sendable, Hashable, CustomStringConvertible {
    /// The actions the MTA allows (`SMFIF_*`).
    public var actions: ActionFlags
    /// The protocol steps the MTA can leave out or not wait for, and the options it understands (`SMFIP_*`).
    public var steps: ProtocolSteps

    /// Creates an offer.
    public init(actions: ActionFlags, steps: ProtocolSteps) {
        self.actions = actions
        self.steps = steps
    }

    /// What Postfix 3.x offers with `milter_protocol = 6`: every action and step.
    public static let everything = NegotiationOffer(actions: .all, steps: .all)

    /// Both sets with their C flag names.
    public var description: String { "actions \(actions) steps \(steps)" }
}

/// What a connection settled on: the actions it may take and the steps the MTA sends it.
public struct NegotiatedOptions: Sendable, Hashable, CustomStringConvertible {
    /// Actions allowed on this connection; others are refused before reaching the MTA.
    public var actions: ActionFlags
    /// Protocol step flags in force, e.g. `noBody`, `noReplyHeader`, `skip`.
    public var steps: ProtocolSteps

    /// Creates negotiated options.
    public init(actions: ActionFlags, steps: ProtocolSteps) {
        self.actions = actions
        self.steps = steps
    }

    /// True when the MTA does not wait for a reply to `callback` on this connection.
    public func isNoReply(_ callback: MilterCallback) -> Bool {
        guard let flag = callback.noReplyFlag else { return false }
        return steps.contains(flag)
    }

    /// Both sets with their C flag names.
    public var description: String { "actions \(actions) steps \(steps)" }
}

/// A negotiate callback's answer.
public enum NegotiationResult: Sendable, Hashable {
    /// Use these actions and steps (`SMFIS_CONTINUE` with `*pf0`, `*pf1` set); each must be a
    /// subset of the offer or libmilter drops the connection, so the trampoline intersects them.
    case options(NegotiatedOptions)
    /// Use every action the MTA offered and libmilter's default steps, which switch off only
    /// the steps with no registered callback (`SMFIS_ALL_OPTS`); pymilter `ALL_OPTS`.
    case allOptions
    /// Refuse the connection (`SMFIS_REJECT`).
    case reject
}

extension NegotiationResult {
    /// The options in force after this answer to `offer`, nil for a rejected connection. Asked-for
    /// options are cut down to the offer, as libmilter requires; `defaultSteps` are libmilter's
    /// own for ``allOptions`` (none when every callback is registered, as in the handler layer).
    public func options(for offer: NegotiationOffer, defaultSteps: ProtocolSteps = []) -> NegotiatedOptions? {
        switch self {
        case .options(let wanted):
            NegotiatedOptions(actions: wanted.actions.intersection(offer.actions),
                              steps: wanted.steps.intersection(offer.steps))
        case .allOptions:
            NegotiatedOptions(actions: offer.actions, steps: defaultSteps.intersection(offer.steps))
        case .reject:
            nil
        }
    }
}
