/// The modifications a milter may ask for at end of message (the `SMFIF_*` flags of option negotiation).
public struct MilterActions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    /// Creates the set from the bits on the wire.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// May add headers (and insert them at an index). SMFIF_ADDHDRS
    public static let addHeaders = MilterActions(rawValue: 0x001)
    /// May replace the body. SMFIF_CHGBODY
    public static let changeBody = MilterActions(rawValue: 0x002)
    /// May add recipients. SMFIF_ADDRCPT
    public static let addRecipients = MilterActions(rawValue: 0x004)
    /// May delete recipients. SMFIF_DELRCPT
    public static let deleteRecipients = MilterActions(rawValue: 0x008)
    /// May change or delete headers. SMFIF_CHGHDRS
    public static let changeHeaders = MilterActions(rawValue: 0x010)
    /// May quarantine the message. SMFIF_QUARANTINE
    public static let quarantine = MilterActions(rawValue: 0x020)
    /// May change the envelope sender. SMFIF_CHGFROM
    public static let changeSender = MilterActions(rawValue: 0x040)
    /// May add recipients with ESMTP parameters. SMFIF_ADDRCPT_PAR
    public static let addRecipientsWithParameters = MilterActions(rawValue: 0x080)
    /// May send the lists of macros it wants per stage. SMFIF_SETSYMLIST
    public static let setMacroLists = MilterActions(rawValue: 0x100)

    /// Every action protocol version 6 defines (SMFI_CURR_ACTS): what an MTA offers by default.
    public static let all: MilterActions = [
        .addHeaders, .changeBody, .addRecipients, .deleteRecipients, .changeHeaders,
        .quarantine, .changeSender, .addRecipientsWithParameters, .setMacroLists,
    ]
}
