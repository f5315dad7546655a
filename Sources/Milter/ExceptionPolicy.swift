/// What a callback that throws answers the MTA (pymilter's `set_exception_policy`).
///
/// The error is logged once; the MTA gets the policy's code and, for tempfail and reject, a
/// reply naming the milter and the callback, never the error's own text, which may carry
/// message content (``response(milterName:callback:)``). The default is ``tempfail``: the
/// client retries later and no mail is lost or let through unfiltered.
public enum ExceptionPolicy: String, Sendable, Hashable, CaseIterable {
    /// Answer `SMFIS_TEMPFAIL` (the default); pymilter `TEMPFAIL`.
    case tempfail
    /// Answer `SMFIS_CONTINUE`, as if the callback had not failed; pymilter `CONTINUE`.
    case `continue`
    /// Answer `SMFIS_REJECT`; pymilter `REJECT`.
    case reject
    /// Answer `SMFIS_ACCEPT`; pymilter `ACCEPT`.
    case accept

    /// The response this policy gives.
    public var response: MilterResponse {
        switch self {
        case .tempfail: .tempfail
        case .continue: .continue
        case .reject: .reject
        case .accept: .accept
        }
    }

    /// The answer to an error thrown by `callback`: pymilter's `451 4.3.0 pymilter: untrapped
    /// exception in <callback>` with this milter's name, `554 5.3.0 ...` for reject; continue
    /// and accept carry no reply. A name no reply can carry gives the bare code.
    public func response(milterName: String, callback: MilterCallback) -> MilterResponse {
        let text = "\(milterName): untrapped exception in \(callback.rawValue)"
        switch self {
        case .tempfail:
            guard let reply = try? SMTPReply(code: 451, enhancedCode: "4.3.0", text) else { return .tempfail }
            return .tempfail(reply)
        case .reject:
            guard let reply = try? SMTPReply(code: 554, enhancedCode: "5.3.0", text) else { return .reject }
            return .reject(reply)
        case .continue, .accept:
            return response
        }
    }
}
