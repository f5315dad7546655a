import MilterClient

/// What the milter decided for one message, reduced to what an administrator compares between
/// milters: the SMTP outcome, and whether an accepted message was marked infected.
enum Verdict {
    /// Classifies a transaction's result.
    static func of(_ result: MilterTransactionResult) -> String {
        switch result.response {
        case .reject: return "reject"
        case .tempfail: return "tempfail"
        case .discard: return "discard"
        case .replyCode(let reply):
            if reply.isPermanent { return "reject" }
            return reply.isTemporary ? "tempfail" : "reply"
        case .connectionFailure, .shutdown: return "failure"
        case .accept, .continue, .noReply, .stepDisabled, .skip:
            for modification in result.modifications {
                switch modification {
                case .quarantine: return "quarantine"
                case .addHeader(_, let value), .insertHeader(_, _, let value), .changeHeader(_, _, let value):
                    if value.localizedInfected { return "accept-infected" }
                default: continue
                }
            }
            return "accept"
        }
    }
}

extension String {
    /// True for a status header value that says infected (scanmilter and clamav-milter both write "Infected").
    fileprivate var localizedInfected: Bool {
        lowercased().contains("infected")
    }
}
