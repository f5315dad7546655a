/// A step of the SMTP dialogue the MTA reports to a filter and may leave out (`SMFIP_NO*`) or
/// send without waiting for the answer (`SMFIP_NR_*`). End of message, abort and close are
/// never optional. The one table from step to flags, for both sides of the protocol.
public enum OptionalStep: String, Sendable, Hashable, CaseIterable {
    /// Connect information (SMFIC_CONNECT).
    case connect
    /// HELO/EHLO (SMFIC_HELO).
    case helo
    /// MAIL FROM (SMFIC_MAIL).
    case envelopeFrom
    /// RCPT TO (SMFIC_RCPT).
    case envelopeRecipient
    /// DATA (SMFIC_DATA).
    case data
    /// A command the MTA did not know (SMFIC_UNKNOWN).
    case unknown
    /// One header field (SMFIC_HEADER).
    case header
    /// End of headers (SMFIC_EOH).
    case endOfHeaders
    /// One body chunk (SMFIC_BODY).
    case body

    /// The flag asking the MTA not to send this step (`SMFIP_NO*`).
    public var notSentFlag: ProtocolSteps {
        switch self {
        case .connect: .noConnect
        case .helo: .noHelo
        case .envelopeFrom: .noEnvelopeFrom
        case .envelopeRecipient: .noEnvelopeRecipient
        case .data: .noData
        case .unknown: .noUnknown
        case .header: .noHeaders
        case .endOfHeaders: .noEndOfHeaders
        case .body: .noBody
        }
    }

    /// The flag asking the MTA not to wait for this step's reply (`SMFIP_NR_*`).
    public var noReplyFlag: ProtocolSteps {
        switch self {
        case .connect: .noReplyConnect
        case .helo: .noReplyHelo
        case .envelopeFrom: .noReplyEnvelopeFrom
        case .envelopeRecipient: .noReplyEnvelopeRecipient
        case .data: .noReplyData
        case .unknown: .noReplyUnknown
        case .header: .noReplyHeader
        case .endOfHeaders: .noReplyEndOfHeaders
        case .body: .noReplyBody
        }
    }
}
