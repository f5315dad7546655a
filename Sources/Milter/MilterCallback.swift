/// The callbacks libmilter makes, one per protocol step (the `xxfi_*` members of `smfiDesc`).
public enum MilterCallback: String, Sendable, Hashable, CaseIterable {
    /// `xxfi_negotiate`: options for the connection; pymilter `negotiate`.
    case negotiate
    /// `xxfi_connect`: the SMTP client connected; pymilter `connect`.
    case connect
    /// `xxfi_helo`: HELO/EHLO; pymilter `hello`.
    case helo
    /// `xxfi_envfrom`: MAIL FROM; pymilter `envfrom`.
    case envelopeFrom
    /// `xxfi_envrcpt`: RCPT TO; pymilter `envrcpt`.
    case envelopeRecipient
    /// `xxfi_data`: DATA; pymilter `data`.
    case data
    /// `xxfi_unknown`: a command the MTA did not know; pymilter `unknown`.
    case unknown
    /// `xxfi_header`: one header field; pymilter `header`.
    case header
    /// `xxfi_eoh`: end of headers; pymilter `eoh`.
    case endOfHeaders
    /// `xxfi_body`: one body chunk; pymilter `body`.
    case body
    /// `xxfi_eom`: end of message, where actions are allowed; pymilter `eom`.
    case endOfMessage
    /// `xxfi_abort`: the message was aborted (RSET, QUIT, error); pymilter `abort`.
    case abort
    /// `xxfi_close`: the connection ended; pymilter `close`.
    case close

    /// The steps a handler may leave out, so the MTA does not send them (`SMFIP_NO*`).
    public static let optional: [MilterCallback] = [
        .connect, .helo, .envelopeFrom, .envelopeRecipient, .data, .unknown, .header, .endOfHeaders, .body,
    ]

    /// The protocol step this callback answers, when the MTA may leave it out or not wait for it.
    public var optionalStep: OptionalStep? { OptionalStep(rawValue: rawValue) }

    /// The flag asking the MTA not to send this step, for the optional steps.
    public var noStepFlag: ProtocolSteps? { optionalStep?.notSentFlag }

    /// The flag asking the MTA not to wait for this step's reply (`SMFIP_NR_*`), where one exists.
    public var noReplyFlag: ProtocolSteps? { optionalStep?.noReplyFlag }

    /// The libmilter callback's C name, for logs and errors.
    public var cName: String {
        switch self {
        case .negotiate: "xxfi_negotiate"
        case .connect: "xxfi_connect"
        case .helo: "xxfi_helo"
        case .envelopeFrom: "xxfi_envfrom"
        case .envelopeRecipient: "xxfi_envrcpt"
        case .data: "xxfi_data"
        case .unknown: "xxfi_unknown"
        case .header: "xxfi_header"
        case .endOfHeaders: "xxfi_eoh"
        case .body: "xxfi_body"
        case .endOfMessage: "xxfi_eom"
        case .abort: "xxfi_abort"
        case .close: "xxfi_close"
        }
    }
}
