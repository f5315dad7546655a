/// Actions and protocol steps: what the MTA offers a connection at negotiation
/// (`xxfi_negotiate`'s `f0` and `f1`, ``NegotiationOffer``) and what the connection settled on
/// (``NegotiatedOptions``) are the same two sets.
public struct NegotiationOptions: Sendable, Hashable, CustomStringConvertible {
    /// The actions (`SMFIF_*`): offered by the MTA, or allowed on the connection (others are
    /// refused before reaching the MTA).
    public var actions: ActionFlags
    /// The protocol steps (`SMFIP_*`) the MTA can leave out or not wait for, or those in force,
    /// e.g. `noBody`, `noReplyHeader`, `skip`.
    public var steps: ProtocolSteps

    /// Creates a pair of sets.
    public init(actions: ActionFlags, steps: ProtocolSteps) {
        self.actions = actions
        self.steps = steps
    }

    /// What Postfix 3.x offers with `milter_protocol = 6`: every action and step.
    public static let everything = NegotiationOptions(actions: .all, steps: .all)

    /// True when the MTA does not wait for a reply to `callback` on this connection.
    public func isNoReply(_ callback: MilterCallback) -> Bool {
        guard let flag = callback.noReplyFlag else { return false }
        return steps.contains(flag)
    }

    /// Both sets with their C flag names.
    public var description: String { "actions \(actions) steps \(steps)" }
}

/// What the MTA offers a connection at negotiation (`xxfi_negotiate`'s `f0` and `f1`).
public typealias NegotiationOffer = NegotiationOptions

/// What a connection settled on: the actions it may take and the steps the MTA sends it.
public typealias NegotiatedOptions = NegotiationOptions

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
