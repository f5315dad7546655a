/// Which steps the MTA sends and which it waits for a reply to (the `SMFIP_*` flags of option negotiation).
///
/// The MTA offers the flags it understands; the milter answers with the subset it wants:
/// `no*` steps are not sent at all, `noReply*` steps are sent without waiting for an answer.
public struct MilterProtocolSteps: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    /// Creates the set from the bits on the wire.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Do not send connect information. SMFIP_NOCONNECT
    public static let noConnect = MilterProtocolSteps(rawValue: 0x0000_0001)
    /// Do not send HELO. SMFIP_NOHELO
    public static let noHelo = MilterProtocolSteps(rawValue: 0x0000_0002)
    /// Do not send MAIL FROM. SMFIP_NOMAIL
    public static let noMail = MilterProtocolSteps(rawValue: 0x0000_0004)
    /// Do not send RCPT TO. SMFIP_NORCPT
    public static let noRecipient = MilterProtocolSteps(rawValue: 0x0000_0008)
    /// Do not send the body. SMFIP_NOBODY
    public static let noBody = MilterProtocolSteps(rawValue: 0x0000_0010)
    /// Do not send headers. SMFIP_NOHDRS
    public static let noHeaders = MilterProtocolSteps(rawValue: 0x0000_0020)
    /// Do not send end of headers. SMFIP_NOEOH
    public static let noEndOfHeaders = MilterProtocolSteps(rawValue: 0x0000_0040)
    /// Headers get no reply. SMFIP_NR_HDR (also SMFIP_NOHREPL)
    public static let noReplyHeader = MilterProtocolSteps(rawValue: 0x0000_0080)
    /// Do not send unknown SMTP commands. SMFIP_NOUNKNOWN
    public static let noUnknown = MilterProtocolSteps(rawValue: 0x0000_0100)
    /// Do not send DATA. SMFIP_NODATA
    public static let noData = MilterProtocolSteps(rawValue: 0x0000_0200)
    /// The MTA understands SKIP from a body chunk. SMFIP_SKIP
    public static let skip = MilterProtocolSteps(rawValue: 0x0000_0400)
    /// Also send recipients the MTA rejected. SMFIP_RCPT_REJ
    public static let rejectedRecipients = MilterProtocolSteps(rawValue: 0x0000_0800)
    /// Connect gets no reply. SMFIP_NR_CONN
    public static let noReplyConnect = MilterProtocolSteps(rawValue: 0x0000_1000)
    /// HELO gets no reply. SMFIP_NR_HELO
    public static let noReplyHelo = MilterProtocolSteps(rawValue: 0x0000_2000)
    /// MAIL FROM gets no reply. SMFIP_NR_MAIL
    public static let noReplyMail = MilterProtocolSteps(rawValue: 0x0000_4000)
    /// RCPT TO gets no reply. SMFIP_NR_RCPT
    public static let noReplyRecipient = MilterProtocolSteps(rawValue: 0x0000_8000)
    /// DATA gets no reply. SMFIP_NR_DATA
    public static let noReplyData = MilterProtocolSteps(rawValue: 0x0001_0000)
    /// Unknown commands get no reply. SMFIP_NR_UNKN
    public static let noReplyUnknown = MilterProtocolSteps(rawValue: 0x0002_0000)
    /// End of headers gets no reply. SMFIP_NR_EOH
    public static let noReplyEndOfHeaders = MilterProtocolSteps(rawValue: 0x0004_0000)
    /// Body chunks get no reply. SMFIP_NR_BODY
    public static let noReplyBody = MilterProtocolSteps(rawValue: 0x0008_0000)
    /// Header values keep their leading space. SMFIP_HDR_LEADSPC
    public static let headerLeadingSpace = MilterProtocolSteps(rawValue: 0x0010_0000)

    /// Every step flag of protocol version 6, as Postfix offers them: what the client offers by default.
    public static let allVersion6 = MilterProtocolSteps(rawValue: 0x001F_FFFF)
}
