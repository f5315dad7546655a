/// Protocol steps a connection negotiates: libmilter's `SMFIP_*` flags.
///
/// The `no…` flags ask the MTA not to send a step, the `noReply…` flags ask it not to wait for
/// an answer to a step. Milter's `MilterHandler` derives both from what a handler implements;
/// MilterClient offers them as an MTA does.
public struct ProtocolSteps: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    /// Creates a set from libmilter's bit mask.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Do not send connect information (`SMFIP_NOCONNECT`); pymilter `P_NOCONNECT`.
    public static let noConnect = ProtocolSteps(rawValue: 0x0000_0001)
    /// Do not send HELO (`SMFIP_NOHELO`); pymilter `P_NOHELO`.
    public static let noHelo = ProtocolSteps(rawValue: 0x0000_0002)
    /// Do not send MAIL FROM (`SMFIP_NOMAIL`); pymilter `P_NOMAIL`.
    public static let noEnvelopeFrom = ProtocolSteps(rawValue: 0x0000_0004)
    /// Do not send RCPT TO (`SMFIP_NORCPT`); pymilter `P_NORCPT`.
    public static let noEnvelopeRecipient = ProtocolSteps(rawValue: 0x0000_0008)
    /// Do not send the body (`SMFIP_NOBODY`); pymilter `P_NOBODY`.
    public static let noBody = ProtocolSteps(rawValue: 0x0000_0010)
    /// Do not send headers (`SMFIP_NOHDRS`); pymilter `P_NOHDRS`.
    public static let noHeaders = ProtocolSteps(rawValue: 0x0000_0020)
    /// Do not send end of headers (`SMFIP_NOEOH`); pymilter `P_NOEOH`.
    public static let noEndOfHeaders = ProtocolSteps(rawValue: 0x0000_0040)
    /// No reply for headers (`SMFIP_NR_HDR`, alias `SMFIP_NOHREPL`); pymilter `P_NR_HDR`.
    public static let noReplyHeader = ProtocolSteps(rawValue: 0x0000_0080)
    /// Do not send unknown commands (`SMFIP_NOUNKNOWN`); pymilter `P_NOUNKNOWN`.
    public static let noUnknown = ProtocolSteps(rawValue: 0x0000_0100)
    /// Do not send DATA (`SMFIP_NODATA`); pymilter `P_NODATA`.
    public static let noData = ProtocolSteps(rawValue: 0x0000_0200)
    /// The MTA understands SKIP (`SMFIP_SKIP`); pymilter `P_SKIP`.
    public static let skip = ProtocolSteps(rawValue: 0x0000_0400)
    /// Also send recipients the MTA rejected (`SMFIP_RCPT_REJ`); pymilter `P_RCPT_REJ`.
    public static let rejectedRecipients = ProtocolSteps(rawValue: 0x0000_0800)
    /// No reply for connect (`SMFIP_NR_CONN`); pymilter `P_NR_CONN`.
    public static let noReplyConnect = ProtocolSteps(rawValue: 0x0000_1000)
    /// No reply for HELO (`SMFIP_NR_HELO`); pymilter `P_NR_HELO`.
    public static let noReplyHelo = ProtocolSteps(rawValue: 0x0000_2000)
    /// No reply for MAIL FROM (`SMFIP_NR_MAIL`); pymilter `P_NR_MAIL`.
    public static let noReplyEnvelopeFrom = ProtocolSteps(rawValue: 0x0000_4000)
    /// No reply for RCPT TO (`SMFIP_NR_RCPT`); pymilter `P_NR_RCPT`.
    public static let noReplyEnvelopeRecipient = ProtocolSteps(rawValue: 0x0000_8000)
    /// No reply for DATA (`SMFIP_NR_DATA`); pymilter `P_NR_DATA`.
    public static let noReplyData = ProtocolSteps(rawValue: 0x0001_0000)
    /// No reply for unknown commands (`SMFIP_NR_UNKN`); pymilter `P_NR_UNKN`.
    public static let noReplyUnknown = ProtocolSteps(rawValue: 0x0002_0000)
    /// No reply for end of headers (`SMFIP_NR_EOH`); pymilter `P_NR_EOH`.
    public static let noReplyEndOfHeaders = ProtocolSteps(rawValue: 0x0004_0000)
    /// No reply for body chunks (`SMFIP_NR_BODY`); pymilter `P_NR_BODY`.
    public static let noReplyBody = ProtocolSteps(rawValue: 0x0008_0000)
    /// Header values keep their leading space (`SMFIP_HDR_LEADSPC`); pymilter `P_HDR_LEADSPC`.
    public static let headerLeadingSpace = ProtocolSteps(rawValue: 0x0010_0000)

    /// Every step flag of protocol version 6 (`SMFI_CURR_PROT`), as Postfix offers them.
    public static let all = ProtocolSteps(rawValue: 0x001F_FFFF)

    /// Each flag with its C name, in bit order.
    static let names: [(ProtocolSteps, String)] = [
        (.noConnect, "SMFIP_NOCONNECT"), (.noHelo, "SMFIP_NOHELO"), (.noEnvelopeFrom, "SMFIP_NOMAIL"),
        (.noEnvelopeRecipient, "SMFIP_NORCPT"), (.noBody, "SMFIP_NOBODY"), (.noHeaders, "SMFIP_NOHDRS"),
        (.noEndOfHeaders, "SMFIP_NOEOH"), (.noReplyHeader, "SMFIP_NR_HDR"), (.noUnknown, "SMFIP_NOUNKNOWN"),
        (.noData, "SMFIP_NODATA"), (.skip, "SMFIP_SKIP"), (.rejectedRecipients, "SMFIP_RCPT_REJ"),
        (.noReplyConnect, "SMFIP_NR_CONN"), (.noReplyHelo, "SMFIP_NR_HELO"),
        (.noReplyEnvelopeFrom, "SMFIP_NR_MAIL"), (.noReplyEnvelopeRecipient, "SMFIP_NR_RCPT"),
        (.noReplyData, "SMFIP_NR_DATA"), (.noReplyUnknown, "SMFIP_NR_UNKN"),
        (.noReplyEndOfHeaders, "SMFIP_NR_EOH"), (.noReplyBody, "SMFIP_NR_BODY"),
        (.headerLeadingSpace, "SMFIP_HDR_LEADSPC"),
    ]

    /// The C names of the flags in the set, e.g. `[SMFIP_NOCONNECT, SMFIP_SKIP]`.
    public var description: String { describeFlags(rawValue, Self.names.map { ($0.rawValue, $1) }) }
}
