/// Why a milter call failed; every case names the libmilter function (or flag) involved, so a
/// log line says exactly what went wrong (pymilter's `milter.error` and `DisabledAction`).
public enum MilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A libmilter function returned `MI_FAILURE`.
    case callFailed(function: String)
    /// An action the connection did not negotiate; nothing was sent to the MTA.
    case actionNotNegotiated(function: String, flag: ActionFlags)
    /// A message action outside end of message, where libmilter would refuse it.
    case notAllowedHere(function: String, callback: MilterCallback?)
    /// A socket spec that libmilter could not use (checked before `smfi_setconn`).
    case invalidSocketSpec(spec: String, reason: String)
    /// `smfi_opensocket` could not listen on the spec; `reason` is our best guess at why.
    case socketUnavailable(spec: String, reason: String)
    /// An SMTP reply that libmilter would refuse or silently drop.
    case invalidReply(reason: String)
    /// An argument libmilter cannot take, e.g. a NUL byte in a header value.
    case invalidArgument(function: String, reason: String)
    /// The call needs `register` first, or came in the wrong order.
    case wrongOrder(function: String, reason: String)
    /// A handler implements optional callbacks it leaves out of
    /// ``MilterHandler/implementedCallbacks``: they would be negotiated away and never run.
    case undeclaredCallbacks(handler: String, callbacks: [MilterCallback])

    /// One line for logs and command-line errors.
    public var description: String {
        switch self {
        case .callFailed(let function):
            "\(function) failed"
        case .actionNotNegotiated(let function, let flag):
            "\(function) refused: action \(flag) was not negotiated for this connection"
        case .notAllowedHere(let function, let callback):
            "\(function) refused: only allowed at end of message (xxfi_eom), called from \(callback?.cName ?? "outside a callback")"
        case .invalidSocketSpec(let spec, let reason):
            "invalid socket spec \"\(spec)\": \(reason)"
        case .socketUnavailable(let spec, let reason):
            "smfi_opensocket failed for \(spec): \(reason)"
        case .invalidReply(let reason):
            "invalid SMTP reply: \(reason)"
        case .invalidArgument(let function, let reason):
            "\(function): \(reason)"
        case .wrongOrder(let function, let reason):
            "\(function): \(reason)"
        case .undeclaredCallbacks(let handler, let callbacks):
            "\(handler) implements \(callbacks.map(\.rawValue).joined(separator: ", ")) but leaves "
                + "\(callbacks.count == 1 ? "it" : "them") out of implementedCallbacks, so the MTA would never send "
                + "\(callbacks.count == 1 ? "that step" : "those steps"); add \(callbacks.map { ".\($0.rawValue)" }.joined(separator: ", ")) "
                + "to implementedCallbacks"
        }
    }
}
