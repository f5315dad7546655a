/// What a callback tells the MTA: libmilter's `SMFIS_*` codes (pymilter's reply constants).
public enum ResponseCode: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Go on with the next step (`SMFIS_CONTINUE`); pymilter `CONTINUE`.
    case `continue` = 0
    /// Reject the command, the message or the connection, by step (`SMFIS_REJECT`); pymilter `REJECT`.
    case reject = 1
    /// Accept the message and silently drop it (`SMFIS_DISCARD`); pymilter `DISCARD`.
    case discard = 2
    /// Accept without further filtering (`SMFIS_ACCEPT`); pymilter `ACCEPT`.
    case accept = 3
    /// Answer 4xx: try again later (`SMFIS_TEMPFAIL`); pymilter `TEMPFAIL`.
    case tempfail = 4
    /// No reply is sent; only for steps negotiated with `SMFIP_NR_*` (`SMFIS_NOREPLY`); pymilter `NOREPLY`.
    case noReply = 7
    /// Skip the rest of the body chunks (`SMFIS_SKIP`, needs `SMFIP_SKIP`); pymilter `SKIP`.
    case skip = 8

    /// The C name, e.g. `SMFIS_TEMPFAIL`.
    public var description: String {
        switch self {
        case .continue: "SMFIS_CONTINUE"
        case .reject: "SMFIS_REJECT"
        case .discard: "SMFIS_DISCARD"
        case .accept: "SMFIS_ACCEPT"
        case .tempfail: "SMFIS_TEMPFAIL"
        case .noReply: "SMFIS_NOREPLY"
        case .skip: "SMFIS_SKIP"
        }
    }
}

/// A callback's answer: a ``ResponseCode`` and, for rejects and temporary failures, the SMTP
/// reply the MTA should give. Carrying the reply inside the answer means no caller can forget
/// to set it.
public struct MilterResponse: Sendable, Hashable, CustomStringConvertible {
    /// The code returned to libmilter.
    public let code: ResponseCode
    /// The reply set with `smfi_setreply`/`smfi_setmlreply` before answering, if any.
    public let reply: SMTPReply?

    /// Creates a response from a code and an optional reply.
    public init(code: ResponseCode, reply: SMTPReply? = nil) {
        self.code = code
        self.reply = reply
    }

    /// Go on (`SMFIS_CONTINUE`).
    public static let `continue` = MilterResponse(code: .continue)
    /// Reject with the MTA's default reply (`SMFIS_REJECT`).
    public static let reject = MilterResponse(code: .reject)
    /// Accept and discard (`SMFIS_DISCARD`).
    public static let discard = MilterResponse(code: .discard)
    /// Accept, no further callbacks for this message (`SMFIS_ACCEPT`).
    public static let accept = MilterResponse(code: .accept)
    /// Temporary failure with the MTA's default reply (`SMFIS_TEMPFAIL`).
    public static let tempfail = MilterResponse(code: .tempfail)
    /// No reply (`SMFIS_NOREPLY`); the handler layer answers this itself for no-reply steps.
    public static let noReply = MilterResponse(code: .noReply)
    /// Skip the remaining body chunks (`SMFIS_SKIP`).
    public static let skip = MilterResponse(code: .skip)

    /// Reject with a reply of our own (a 5xx code).
    public static func reject(_ reply: SMTPReply) -> MilterResponse {
        MilterResponse(code: .reject, reply: reply)
    }

    /// Temporary failure with a reply of our own (a 4xx code).
    public static func tempfail(_ reply: SMTPReply) -> MilterResponse {
        MilterResponse(code: .tempfail, reply: reply)
    }

    /// The code, and the reply if there is one.
    public var description: String {
        if let reply { return "\(code) \(reply)" }
        return code.description
    }
}
