public import Logging
public import Milter

/// Runs a ``MilterHandler`` through a scripted SMTP connection with no libmilter and no socket,
/// behaving as libmilter and an MTA would (pymilter's `testctx`).
///
/// - The handler is made by the factory at the first step, as for real; `close` before any
///   other step makes nothing and calls nothing.
/// - Negotiation runs first (automatically if the script does not call ``negotiate()``): steps
///   negotiated away are not sent and return nil; no-reply steps answer `noReply`.
/// - After the body answers `skip`, further chunks are not sent.
/// - Errors get the exception policy, no-reply steps and replies work as in ``ResponseRules``.
/// - Actions go to a ``RecordingContext`` that refuses what libmilter would refuse.
///
/// Each step returns the code the MTA would receive, or nil when the step was not sent.
public final class TestConnection {
    /// What the MTA offers at negotiation.
    public let offer: NegotiationOffer
    /// The context the handler sees; inspect it for what the handler did.
    public let context: RecordingContext
    /// The handler, once the first step made it.
    public private(set) var handler: (any MilterHandler)?
    /// Each step sent and the code answered, in order.
    public private(set) var responses: [StepResponse] = []
    /// Why the handler was refused before its first step (``MilterHandler/checkDeclarations()``),
    /// as `runMilter` would refuse it at registration; every step then answers the exception policy.
    public private(set) var declarationError: MilterError?
    /// The last message of ``sendMessage(raw:from:to:chunkSize:)`` as the MTA would deliver
    /// it, after every modification; nil when end of message rejected, discarded or
    /// temp-failed it, or was not reached.
    public private(set) var deliveredMessage: DeliveredMessage?

    private let factory: () throws -> any MilterHandler
    private var rules: ResponseRules
    private var negotiation: NegotiationResult?
    private var refused = false
    private var bodySkipped = false
    private var pendingMacros: [MacroStage: [String: String]] = [:]

    /// Creates a connection whose handler `factory` makes at the first step.
    /// `milterName` is the name the exception policy's reply gives, as `runMilter`'s `name`.
    public init(
        offer: NegotiationOffer = .everything, exceptionPolicy: ExceptionPolicy = .tempfail,
        milterName: String = "test-milter",
        logger: Logger = Logger(label: "MilterTesting"), factory: @escaping () throws -> any MilterHandler
    ) {
        self.offer = offer
        self.factory = factory
        self.rules = ResponseRules(policy: exceptionPolicy, logger: logger, milterName: milterName)
        self.context = RecordingContext(negotiated: NegotiatedOptions(actions: offer.actions, steps: offer.steps))
    }

    /// Creates a connection for an existing handler.
    public convenience init(
        handler: any MilterHandler, offer: NegotiationOffer = .everything,
        exceptionPolicy: ExceptionPolicy = .tempfail, milterName: String = "test-milter",
        logger: Logger = Logger(label: "MilterTesting")
    ) {
        self.init(offer: offer, exceptionPolicy: exceptionPolicy, milterName: milterName, logger: logger, factory: { handler })
    }

    /// Macros the MTA will send with the next step of `stage` (as `D` packets do).
    public func setMacros(_ macros: [String: String], for stage: MacroStage) {
        pendingMacros[stage, default: [:]].merge(macros) { $1 }
    }

    /// The options negotiated; nil before negotiation or when it was refused.
    public var negotiated: NegotiatedOptions? {
        negotiation?.options(for: offer)
    }

    /// Negotiates (`xxfi_negotiate`); runs once, before the first other step.
    @discardableResult
    public func negotiate() -> NegotiationResult {
        if let negotiation { return negotiation }
        let result: NegotiationResult
        do {
            let handler = try makeHandler()
            context.currentCallback = .negotiate
            defer { context.currentCallback = nil }
            result = try handler.negotiate(offer, context: context)
        } catch {
            rules.logger.error("negotiate failed; using everything the MTA offered", metadata: ["error": "\(error)"])
            result = .allOptions
        }
        negotiation = result
        if let options = result.options(for: offer) {
            context.negotiated = options
        } else {
            refused = true
        }
        return result
    }

    /// The client connected (`xxfi_connect`).
    @discardableResult
    public func connect(hostname: String = "localhost", address: PeerAddress = .inet(address: "127.0.0.1", port: 4321)) -> ResponseCode? {
        step(.connect, macros: .connect) { try $0.connect(hostname: hostname, address: address, context: $1) }
    }

    /// HELO/EHLO (`xxfi_helo`).
    @discardableResult
    public func helo(_ name: String) -> ResponseCode? {
        step(.helo, macros: .helo) { try $0.helo(name, context: $1) }
    }

    /// MAIL FROM (`xxfi_envfrom`); starts a message.
    @discardableResult
    public func mailFrom(_ sender: String, parameters: ESMTPParameters = []) -> ResponseCode? {
        step(.envelopeFrom, macros: .envelopeFrom) { try $0.envelopeFrom(sender, parameters: parameters, context: $1) }
    }

    /// RCPT TO (`xxfi_envrcpt`).
    @discardableResult
    public func rcptTo(_ recipient: String, parameters: ESMTPParameters = []) -> ResponseCode? {
        step(.envelopeRecipient, macros: .envelopeRecipient) {
            try $0.envelopeRecipient(recipient, parameters: parameters, context: $1)
        }
    }

    /// DATA (`xxfi_data`).
    @discardableResult
    public func data() -> ResponseCode? {
        step(.data, macros: .data) { try $0.data(context: $1) }
    }

    /// An unknown SMTP command (`xxfi_unknown`).
    @discardableResult
    public func unknown(_ command: String) -> ResponseCode? {
        step(.unknown, macros: nil) { try $0.unknown(command, context: $1) }
    }

    /// One header with raw value bytes (`xxfi_header`).
    @discardableResult
    public func header(_ name: String, valueBytes: [UInt8]) -> ResponseCode? {
        let header = MilterHeader(name: name, valueBytes: valueBytes)
        return step(.header, macros: nil) { try $0.header(header, context: $1) }
    }

    /// One header (`xxfi_header`).
    @discardableResult
    public func header(_ name: String, _ value: String) -> ResponseCode? {
        header(name, valueBytes: Array(value.utf8))
    }

    /// End of headers (`xxfi_eoh`).
    @discardableResult
    public func endOfHeaders() -> ResponseCode? {
        step(.endOfHeaders, macros: .endOfHeaders) { try $0.endOfHeaders(context: $1) }
    }

    /// One body chunk (`xxfi_body`); not sent after the handler answered skip.
    @discardableResult
    public func body(_ chunk: [UInt8]) -> ResponseCode? {
        if bodySkipped { return nil }
        let code = step(.body, macros: nil) { handler, context in
            try chunk.withUnsafeBytes { buffer in
                try handler.body(buffer.bytes, context: context)
            }
        }
        if code == .skip { bodySkipped = true }
        return code
    }

    /// One body chunk from a string's UTF-8 bytes.
    @discardableResult
    public func body(_ text: String) -> ResponseCode? {
        body(Array(text.utf8))
    }

    /// End of message (`xxfi_eom`): the handler's actions are recorded in ``context``.
    @discardableResult
    public func endOfMessage() -> ResponseCode? {
        defer { endMessage() }
        return step(.endOfMessage, macros: .endOfMessage) { try $0.endOfMessage(context: $1) }
    }

    /// The message was aborted (`xxfi_abort`).
    @discardableResult
    public func abort() -> ResponseCode? {
        defer { endMessage() }
        return step(.abort, macros: nil) { try $0.abort(context: $1) }
    }

    /// The connection ended (`xxfi_close`). Before any other step nothing was made, so nothing
    /// is called, as with libmilter.
    @discardableResult
    public func close() -> ResponseCode? {
        guard let handler else { return nil }
        defer {
            self.handler = nil
            context.visibleMacros = [:]
        }
        return run(.close, handler: handler) { try $0.close(context: $1) }
    }

    /// Sends one whole message: MAIL, RCPTs, DATA, headers, EOH, body in chunks, EOM.
    /// Returns the end-of-message answer (nil if it was not reached).
    @discardableResult
    public func sendMessage(
        from sender: String, to recipients: [String], headers: [(String, String)], body: String,
        chunkSize: Int = 65535
    ) -> ResponseCode? {
        mailFrom(sender)
        recipients.forEach { rcptTo($0) }
        data()
        for (name, value) in headers { header(name, value) }
        endOfHeaders()
        let bytes = Array(body.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + max(chunkSize, 1), bytes.count)
            self.body(Array(bytes[start..<end]))
            start = end
        }
        return endOfMessage()
    }

    /// Feeds a raw RFC 5322 message (LF or CRLF line ends) as an MTA would: MAIL, RCPTs, DATA,
    /// each header with its folding as LF, as Postfix sends it (with its leading space if the handler negotiated
    /// ``MilterProtocol/ProtocolSteps/headerLeadingSpace``), end of headers, the body with CRLF
    /// line ends in chunks of `chunkSize`, end of message (pymilter testctx's `_feedFile`).
    /// Afterwards ``deliveredMessage`` holds the message as the MTA would deliver it.
    /// Returns the end-of-message answer (nil if it was not reached).
    @discardableResult
    public func sendMessage(
        raw: [UInt8], from sender: String, to recipients: [String], chunkSize: Int = 65535
    ) -> ResponseCode? {
        deliveredMessage = nil
        negotiate()
        let keepSpace = context.negotiated.steps.contains(.headerLeadingSpace)
        let message = MilterMessage(parsing: raw, keepLeadingSpace: keepSpace)
        let firstAction = context.actions.count
        mailFrom(sender)
        recipients.forEach { rcptTo($0) }
        data()
        for header in message.headers { self.header(header.name, valueBytes: header.value) }
        endOfHeaders()
        var start = 0
        while start < message.body.count {
            let end = min(start + max(chunkSize, 1), message.body.count)
            body(Array(message.body[start..<end]))
            start = end
        }
        let code = endOfMessage()
        if code == .continue || code == .accept {
            deliveredMessage = DeliveredMessage(
                sender: EnvelopeAddress(sender), recipients: recipients.map { EnvelopeAddress($0) },
                message: message, actions: context.actions[firstAction...])
        }
        return code
    }

    /// Feeds a raw message given as text; see ``sendMessage(raw:from:to:chunkSize:)``.
    @discardableResult
    public func sendMessage(raw text: String, from sender: String, to recipients: [String], chunkSize: Int = 65535) -> ResponseCode? {
        sendMessage(raw: Array(text.utf8), from: sender, to: recipients, chunkSize: chunkSize)
    }

    // MARK: - Steps

    private func makeHandler() throws -> any MilterHandler {
        if let handler { return handler }
        let made = try factory()
        do {
            try made.checkDeclarations()
        } catch {
            // A mistake in the handler's code, not in the traffic: as loud as runMilter makes it.
            rules.logger.critical("the handler's declarations are wrong", metadata: ["error": "\(error)"])
            declarationError = error
            throw error
        }
        handler = made
        return made
    }

    private func endMessage() {
        bodySkipped = false
        for stage in [MacroStage.envelopeFrom, .envelopeRecipient, .data, .endOfHeaders, .endOfMessage] {
            context.visibleMacros[stage] = nil
        }
    }

    private func step(
        _ callback: MilterCallback, macros stage: MacroStage?,
        _ body: (any MilterHandler, any MilterContext) throws -> MilterResponse
    ) -> ResponseCode? {
        negotiate()
        guard !refused else { return nil }
        // The MTA sends a stage's macros even when the step itself was negotiated away.
        if let stage, let macros = pendingMacros.removeValue(forKey: stage) {
            context.visibleMacros[stage, default: [:]].merge(macros) { $1 }
        }
        if let flag = callback.noStepFlag, context.negotiated.steps.contains(flag) { return nil }
        let handler: any MilterHandler
        do {
            handler = try makeHandler()
        } catch {
            // As the trampolines do when a connection's state cannot be made.
            rules.logger.error("making the handler failed; answering the exception policy", metadata: ["error": "\(error)"])
            let response = rules.policy.response(milterName: rules.milterName, callback: callback)
            context.currentCallback = callback
            if let reply = response.reply { try? context.setReply(reply) }
            context.currentCallback = nil
            let code = response.code
            responses.append(StepResponse(callback: callback, code: code))
            return code
        }
        return run(callback, handler: handler, body)
    }

    private func run(
        _ callback: MilterCallback, handler: any MilterHandler,
        _ body: (any MilterHandler, any MilterContext) throws -> MilterResponse
    ) -> ResponseCode {
        context.currentCallback = callback
        defer { context.currentCallback = nil }
        let context = self.context
        let code = rules.answer(callback, context: context) { try body(handler, context) }
        responses.append(StepResponse(callback: callback, code: code))
        return code
    }
}

/// One step of a ``TestConnection`` and the code it answered.
public struct StepResponse: Sendable, Hashable {
    /// The callback that ran.
    public let callback: MilterCallback
    /// What the MTA received.
    public let code: ResponseCode

    /// Creates a step record.
    public init(callback: MilterCallback, code: ResponseCode) {
        self.callback = callback
        self.code = code
    }
}
