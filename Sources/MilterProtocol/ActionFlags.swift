/// What a filter may do to a message at end of message: libmilter's action flags (`SMFIF_*`;
/// the empty set is `SMFIF_NONE`). A set of flags, not an action: one action a filter asks for
/// is Milter's `MilterAction`.
///
/// Registered with libmilter (`Libmilter.register`) and negotiated per connection (the
/// 32-bit actions word of SMFIC_OPTNEG); the filter side refuses an action the connection did
/// not negotiate before anything reaches the MTA, and the client side checks what a milter asks.
public struct ActionFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    /// Creates a set from libmilter's bit mask, as sent on the wire.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Add headers (`SMFIF_ADDHDRS`); pymilter `ADDHDRS`.
    public static let addHeaders = ActionFlags(rawValue: 0x0000_0001)
    /// Replace the body (`SMFIF_CHGBODY`, alias `SMFIF_MODBODY`); pymilter `CHGBODY`/`MODBODY`.
    public static let changeBody = ActionFlags(rawValue: 0x0000_0002)
    /// Add recipients (`SMFIF_ADDRCPT`); pymilter `ADDRCPT`.
    public static let addRecipients = ActionFlags(rawValue: 0x0000_0004)
    /// Delete recipients (`SMFIF_DELRCPT`); pymilter `DELRCPT`.
    public static let deleteRecipients = ActionFlags(rawValue: 0x0000_0008)
    /// Change or delete headers (`SMFIF_CHGHDRS`); pymilter `CHGHDRS`.
    public static let changeHeaders = ActionFlags(rawValue: 0x0000_0010)
    /// Quarantine the message (`SMFIF_QUARANTINE`); pymilter `QUARANTINE`.
    public static let quarantine = ActionFlags(rawValue: 0x0000_0020)
    /// Change the envelope sender (`SMFIF_CHGFROM`); pymilter `CHGFROM`.
    public static let changeFrom = ActionFlags(rawValue: 0x0000_0040)
    /// Add recipients with ESMTP parameters (`SMFIF_ADDRCPT_PAR`); pymilter `ADDRCPT_PAR`.
    public static let addRecipientsWithParameters = ActionFlags(rawValue: 0x0000_0080)
    /// Tell the MTA which macros to send (`SMFIF_SETSYMLIST`); pymilter `SETSYMLIST`.
    public static let setSymbolList = ActionFlags(rawValue: 0x0000_0100)

    /// The actions of a version 1 filter (`SMFI_V1_ACTS`); pymilter `V1_ACTS`.
    public static let version1: ActionFlags = [.addHeaders, .changeBody, .addRecipients, .deleteRecipients]
    /// The actions of a version 2 filter (`SMFI_V2_ACTS`); pymilter `V2_ACTS`.
    public static let version2: ActionFlags = [.version1, .changeHeaders, .quarantine]
    /// Every action this libmilter knows (`SMFI_CURR_ACTS`); pymilter `CURR_ACTS`.
    public static let all: ActionFlags = [
        .version2, .changeFrom, .addRecipientsWithParameters, .setSymbolList,
    ]

    /// Each flag with its C name, in bit order.
    static let names: [(ActionFlags, String)] = [
        (.addHeaders, "SMFIF_ADDHDRS"), (.changeBody, "SMFIF_CHGBODY"),
        (.addRecipients, "SMFIF_ADDRCPT"), (.deleteRecipients, "SMFIF_DELRCPT"),
        (.changeHeaders, "SMFIF_CHGHDRS"), (.quarantine, "SMFIF_QUARANTINE"),
        (.changeFrom, "SMFIF_CHGFROM"), (.addRecipientsWithParameters, "SMFIF_ADDRCPT_PAR"),
        (.setSymbolList, "SMFIF_SETSYMLIST"),
    ]

    /// The C names of the flags in the set, e.g. `[SMFIF_ADDHDRS, SMFIF_CHGHDRS]`.
    public var description: String { describeFlags(rawValue, Self.names.map { ($0.rawValue, $1) }) }
}

/// The earlier name of ``ActionFlags``, easy to mistake for `MilterAction`.
@available(*, deprecated, renamed: "ActionFlags")
public typealias MilterActions = ActionFlags
