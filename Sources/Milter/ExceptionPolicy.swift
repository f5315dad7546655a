/// What a callback that throws answers the MTA (pymilter's `set_exception_policy`).
///
/// The error is logged once; libmilter only ever sees this code. The default is
/// ``tempfail``: the client retries later and no mail is lost or let through unfiltered.
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
}
