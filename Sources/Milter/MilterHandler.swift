/// A filter for one SMTP connection (pymilter's `Milter.Base`).
///
/// A factory makes one handler per connection; libmilter calls its methods in protocol order,
/// never two at once, possibly on different threads (see the DocC concurrency notes), so a
/// handler keeps its per-connection state in plain stored properties, with no lock.
///
/// **Which steps run.** Swift cannot see which methods a type overrides, so a handler declares
/// the optional steps it implements in ``implementedCallbacks``; negotiation asks the MTA not to
/// send the others (`SMFIP_NO*`). A callback implemented but left out of that set would never
/// run: ``checkDeclarations()`` finds it, and `runMilter` and MilterTesting refuse such a handler
/// before the first connection with ``MilterError/undeclaredCallbacks(handler:callbacks:)``. Steps listed in ``noReplyCallbacks`` are negotiated as
/// no-reply (`SMFIP_NR_*`) when the MTA offers it: the MTA then does not wait for their answer,
/// which must be `continue`. `SMFIP_SKIP` is always asked for when offered.
/// `endOfMessage`, `abort` and `close` always run. Every method has a default that answers
/// `continue`, so a step that runs anyway (an MTA without negotiation) is harmless.
///
/// Each callback gets the connection's ``MilterContext`` for macros and actions; keep it only
/// for the duration of the call.
public protocol MilterHandler: AnyObject {
    /// The optional steps this handler implements (any of ``MilterCallback/optional``).
    var implementedCallbacks: Set<MilterCallback> { get }
    /// Implemented steps whose answer is always `continue`, so the MTA need not wait for it.
    /// Their answer is not sent: leave `body` out of this set if it may answer `skip`.
    var noReplyCallbacks: Set<MilterCallback> { get }
    /// Opt-in protocol options: ``MilterProtocol/ProtocolSteps/headerLeadingSpace`` (pymilter
    /// `@header_leading_space`) and ``MilterProtocol/ProtocolSteps/rejectedRecipients`` (`@rejected_recipients`).
    var protocolOptIns: ProtocolSteps { get }
    /// The actions this handler may take; negotiated down to what the MTA offers. Default: all.
    var actions: ActionFlags { get }
    /// Macros to ask for per stage (`smfi_setsymlist`; pymilter `@symlist`). Default: none, so
    /// the MTA sends its defaults.
    var macroLists: [MacroStage: [String]] { get }

    /// Chooses this connection's options (`xxfi_negotiate`; pymilter `negotiate`). The default
    /// is ``defaultNegotiation(_:context:)``; override to change it, and call that to start from it.
    func negotiate(_ offer: NegotiationOffer, context: any MilterContext) throws -> NegotiationResult
    /// The client connected (`xxfi_connect`; pymilter `connect`). `hostname` is the PTR name or
    /// `[address]`; `address` holds family, address and port, or the socket path.
    func connect(hostname: String, address: PeerAddress, context: any MilterContext) throws -> MilterResponse
    /// HELO/EHLO (`xxfi_helo`; pymilter `hello`). Reject to refuse the greeting.
    func helo(_ name: String, context: any MilterContext) throws -> MilterResponse
    /// MAIL FROM: a new message starts (`xxfi_envfrom`; pymilter `envfrom`). Reset per-message state here.
    /// Addresses keep any bytes that are not UTF-8 (``MilterProtocol/EnvelopeText``), so they
    /// can be passed back to the MTA as received.
    func envelopeFrom(_ sender: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse
    /// RCPT TO (`xxfi_envrcpt`; pymilter `envrcpt`). Reject refuses this recipient only.
    func envelopeRecipient(_ recipient: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse
    /// DATA (`xxfi_data`; pymilter `data`).
    func data(context: any MilterContext) throws -> MilterResponse
    /// A command the MTA did not recognise (`xxfi_unknown`; pymilter `unknown`).
    func unknown(_ command: String, context: any MilterContext) throws -> MilterResponse
    /// One header field (`xxfi_header`; pymilter `header`); its value bytes may be 8-bit.
    func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse
    /// End of headers (`xxfi_eoh`; pymilter `eoh`).
    func endOfHeaders(context: any MilterContext) throws -> MilterResponse
    /// One body chunk of at most 64 KiB, CRLF line ends (`xxfi_body`; pymilter `body`). The bytes
    /// are borrowed for this call: copy what you keep. Answer `skip` to receive no more chunks.
    func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse
    /// End of message: the only place for header, recipient, body and quarantine actions
    /// (`xxfi_eom`; pymilter `eom`).
    func endOfMessage(context: any MilterContext) throws -> MilterResponse
    /// The message was aborted; `endOfMessage` will not come (`xxfi_abort`; pymilter `abort`).
    func abort(context: any MilterContext) throws -> MilterResponse
    /// The connection ended; release resources (`xxfi_close`; pymilter `close`).
    func close(context: any MilterContext) throws -> MilterResponse
}

extension MilterHandler {
    /// Default: none, so only end of message, abort and close run.
    public var implementedCallbacks: Set<MilterCallback> { [] }
    /// Default: none.
    public var noReplyCallbacks: Set<MilterCallback> { [] }
    /// Default: none.
    public var protocolOptIns: ProtocolSteps { [] }
    /// Default: every action.
    public var actions: ActionFlags { .all }
    /// Default: none, the MTA sends its defaults.
    public var macroLists: [MacroStage: [String]] { [:] }

    /// Default: ``defaultNegotiation(_:context:)``.
    public func negotiate(_ offer: NegotiationOffer, context: any MilterContext) throws -> NegotiationResult {
        try defaultNegotiation(offer, context: context)
    }

    /// pymilter's default negotiation: `SMFIP_NO*` for steps not implemented, `SMFIP_NR_*` for
    /// no-reply steps, `SMFIP_SKIP`, the opt-ins, the macro lists; all within what is offered.
    public func defaultNegotiation(_ offer: NegotiationOffer, context: any MilterContext) throws -> NegotiationResult {
        .options(try Self.negotiatedOptions(
            offer: offer, implemented: implementedCallbacks, noReply: noReplyCallbacks,
            optIns: protocolOptIns, actions: actions, macroLists: macroLists, context: context))
    }

    private static func negotiatedOptions(
        offer: NegotiationOffer, implemented: Set<MilterCallback>, noReply: Set<MilterCallback>,
        optIns: ProtocolSteps, actions: ActionFlags, macroLists: [MacroStage: [String]], context: any MilterContext
    ) throws -> NegotiatedOptions {
        var steps: ProtocolSteps = [.skip]
        for callback in MilterCallback.optional {
            if !implemented.contains(callback), let flag = callback.noStepFlag {
                steps.insert(flag)
            } else if noReply.contains(callback), let flag = callback.noReplyFlag {
                steps.insert(flag)
            }
        }
        steps.formUnion(optIns.intersection([.headerLeadingSpace, .rejectedRecipients]))
        var wantedActions = actions.intersection(offer.actions)
        if !macroLists.isEmpty && offer.actions.contains(.setSymbolList) {
            wantedActions.insert(.setSymbolList)
            for stage in MacroStage.allCases {
                if let macros = macroLists[stage] { try context.setMacroList(stage, macros: macros) }
            }
        }
        return NegotiatedOptions(actions: wantedActions, steps: steps.intersection(offer.steps))
    }

    /// Default: answers `continue`.
    public func connect(hostname: String, address: PeerAddress, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func helo(_ name: String, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func envelopeFrom(_ sender: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func envelopeRecipient(_ recipient: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func data(context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func unknown(_ command: String, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func endOfHeaders(context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse { try defaultAnswer(context) }
    /// Default: answers `continue`.
    public func endOfMessage(context: any MilterContext) throws -> MilterResponse { .continue }
    /// Default: answers `continue`.
    public func abort(context: any MilterContext) throws -> MilterResponse { .continue }
    /// Default: answers `continue`.
    public func close(context: any MilterContext) throws -> MilterResponse { .continue }
}
