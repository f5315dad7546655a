/// The registration check: a handler's declarations must say what its code does.
///
/// Swift cannot list the methods a type overrides (pymilter compares each method with
/// `Milter.Base`'s), so a handler declares its steps in ``MilterHandler/implementedCallbacks``.
/// A callback written but left out of that set would be negotiated away and never run, without
/// a word. The check finds that mistake before the milter listens: it calls each optional
/// callback that is *not* declared, once, on a handler made for the purpose, with a context
/// that refuses every action. The library's default implementations recognise that context and
/// answer at once; any other outcome means the handler has its own implementation.
extension MilterHandler {
    /// Throws when this handler implements an optional callback it leaves out of
    /// ``implementedCallbacks`` (``MilterError/undeclaredCallbacks(handler:callbacks:)``), or
    /// asks for a macro list libmilter cannot carry (more than
    /// ``MilterAction/maximumMacrosPerStage`` names, or a malformed name).
    ///
    /// ``runMilter(name:socket:timeout:removeStaleSocket:actions:exceptionPolicy:backlog:tcpNoDelay:logger:onListening:factory:)``
    /// and MilterTesting's `TestConnection` call it on a handler of their own before any
    /// connection. It runs the undeclared callbacks of this instance: use a fresh one.
    public func checkDeclarations() throws(MilterError) {
        let declared = implementedCallbacks
        let undeclared = MilterCallback.optional.filter { !declared.contains($0) && overrides($0) }
        if !undeclared.isEmpty {
            throw .undeclaredCallbacks(handler: "\(type(of: self))", callbacks: undeclared)
        }
        for stage in MacroStage.allCases {
            guard let macros = macroLists[stage] else { continue }
            try MilterAction.setMacroList(stage, macros).checkMacroList()
        }
    }

    /// True unless `callback` is the library's default implementation.
    private func overrides(_ callback: MilterCallback) -> Bool {
        let context = DeclarationProbeContext(callback)
        do {
            switch callback {
            case .negotiate, .endOfMessage, .abort, .close:
                return false
            case .connect: _ = try connect(hostname: "", address: .unknown, context: context)
            case .helo: _ = try helo("", context: context)
            case .envelopeFrom: _ = try envelopeFrom("", parameters: [], context: context)
            case .envelopeRecipient: _ = try envelopeRecipient("", parameters: [], context: context)
            case .data: _ = try data(context: context)
            case .unknown: _ = try unknown("", context: context)
            case .header: _ = try header(MilterHeader(name: "", valueBytes: []), context: context)
            case .endOfHeaders: _ = try endOfHeaders(context: context)
            case .body: _ = try [UInt8]().withUnsafeBytes { try body($0.bytes, context: context) }
            }
        } catch is DefaultCallbackAnswered {
            return false
        } catch {
            return true
        }
        return true
    }

    /// What every default callback answers: `continue`, or, to the registration check, that it
    /// is the default.
    func defaultAnswer(_ context: any MilterContext) throws -> MilterResponse {
        if context is DeclarationProbeContext { throw DefaultCallbackAnswered() }
        return .continue
    }
}

/// Thrown by a default callback to the registration check only.
private struct DefaultCallbackAnswered: Error {}

/// The context of the registration check: no macros, every action refused.
private final class DeclarationProbeContext: MilterContext {
    let negotiated = NegotiatedOptions(actions: [], steps: [])
    let currentCallback: MilterCallback?

    init(_ callback: MilterCallback) { currentCallback = callback }

    func macro(_ name: String) -> String? { nil }

    func perform(_ action: MilterAction) throws(MilterError) {
        throw .wrongOrder(function: action.function, reason: "called by the registration check, not by an MTA")
    }
}
