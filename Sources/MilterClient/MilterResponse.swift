public import MilterProtocol

/// What a milter answered to one step (or why there is no answer).
public enum MilterResponse: Sendable, Hashable, CustomStringConvertible {
    /// Go on with the next step. SMFIR_CONTINUE; at end of message it means accept.
    case `continue`
    /// Accept the message (or connection) without further filtering. SMFIR_ACCEPT
    case accept
    /// Reject with the MTA's default 5xx reply. SMFIR_REJECT
    case reject
    /// Fail temporarily with the MTA's default 4xx reply. SMFIR_TEMPFAIL
    case tempfail
    /// Accept the message and silently drop it. SMFIR_DISCARD
    case discard
    /// Stop sending body chunks; go on with end of message. SMFIR_SKIP
    case skip
    /// Reject or fail with this SMTP reply (4xx or 5xx, possibly several lines). SMFIR_REPLYCODE
    case replyCode(SMTPReply)
    /// Make the MTA fail the SMTP connection. SMFIR_CONN_FAIL
    case connectionFailure
    /// Make the MTA answer 421 and close the SMTP connection. SMFIR_SHUTDOWN
    case shutdown
    /// The step was sent, but the milter negotiated no reply for it (SMFIP_NR_*).
    case noReply
    /// The step was not sent: the milter negotiated it away (SMFIP_NO*).
    case stepDisabled

    /// True when the MTA would go on with the transaction: continue, or no answer expected.
    public var continuesTransaction: Bool {
        switch self {
        case .continue, .noReply, .stepDisabled: true
        default: false
        }
    }

    /// A short name for logs and test failures.
    public var description: String {
        switch self {
        case .continue: "continue"
        case .accept: "accept"
        case .reject: "reject"
        case .tempfail: "tempfail"
        case .discard: "discard"
        case .skip: "skip"
        case .replyCode(let reply): "replyCode(\(reply.replyLines.joined(separator: "\r\n")))"
        case .connectionFailure: "connectionFailure"
        case .shutdown: "shutdown"
        case .noReply: "noReply"
        case .stepDisabled: "stepDisabled"
        }
    }
}
