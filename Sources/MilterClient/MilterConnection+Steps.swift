/// A step of the conversation: its command, its name for errors, and the optional step whose
/// flags switch it off or silence its reply.
struct MilterStep {
    let command: MilterCommand
    let name: String
    let step: OptionalStep

    var disabledBy: ProtocolSteps { step.notSentFlag }
    var noReplyBy: ProtocolSteps { step.noReplyFlag }

    static let connect = MilterStep(command: .connect, name: "connect", step: .connect)
    static let helo = MilterStep(command: .helo, name: "HELO", step: .helo)
    static let mail = MilterStep(command: .mail, name: "MAIL FROM", step: .envelopeFrom)
    static let recipient = MilterStep(command: .recipient, name: "RCPT TO", step: .envelopeRecipient)
    static let data = MilterStep(command: .data, name: "DATA", step: .data)
    static let header = MilterStep(command: .header, name: "a header", step: .header)
    static let endOfHeaders = MilterStep(command: .endOfHeaders, name: "end of headers", step: .endOfHeaders)
    static let body = MilterStep(command: .bodyChunk, name: "a body chunk", step: .body)
    static let unknown = MilterStep(command: .unknown, name: "an unknown command", step: .unknown)
}

extension MilterConnection {
    /// Sends SMFIC_OPTNEG with `options.offer` and reads what the milter wants.
    ///
    /// Fails with `.negotiationFailed` when the milter wants actions or steps that were not
    /// offered, as Postfix does: waiting for replies it never negotiated would hang.
    @discardableResult
    public func negotiate() throws -> MilterNegotiation {
        let offer = options.offer
        return try exchange { state in
            try state.send(MilterCommand.optionNegotiation.rawValue, offer.offerPayload)
            let deadline = ContinuousClock.now.advanced(by: state.options.commandTimeout)
            guard case .negotiation(let answer) = try state.receive(until: deadline) else {
                throw MilterClientError(.negotiationFailed, "the milter did not answer option negotiation with an 'O' packet")
            }
            guard answer.version >= 2 else {
                throw MilterClientError(.negotiationFailed, "the milter answered with protocol version \(answer.version)")
            }
            let extraActions = answer.actions.subtracting(offer.actions)
            guard extraActions.isEmpty else {
                throw MilterClientError(
                    .negotiationFailed,
                    "the milter wants actions 0x\(String(extraActions.rawValue, radix: 16)) that were not offered"
                )
            }
            let extraSteps = answer.steps.subtracting(offer.steps)
            guard extraSteps.isEmpty else {
                throw MilterClientError(
                    .negotiationFailed,
                    "the milter wants protocol steps 0x\(String(extraSteps.rawValue, radix: 16)) that were not offered"
                )
            }
            state.negotiated = answer
            return answer
        }
    }

    /// Sends the macros of a stage (SMFIC_MACRO); they hold until the same stage is sent again.
    /// Names may be single letters (`i`) or braced (`{auth_authen}`).
    public func defineMacros(_ stage: MacroStage, _ macros: [String: String]) throws {
        try exchange { state in
            _ = try state.requireNegotiated()
            try state.sendMacros(stage, macros)
        }
    }

    /// Reports the SMTP client (SMFIC_CONNECT), after this stage's macros.
    public func connect(
        hostname: String, address: PeerAddress, macros: [String: String] = [:]
    ) throws -> MilterResponse {
        var writer = PayloadWriter()
        try writer.cString(hostname, field: "client hostname")
        try address.encode(into: &writer)
        return try step(.connect, writer.bytes, macros: macros, stage: .connect)
    }

    /// Reports HELO/EHLO (SMFIC_HELO).
    public func helo(_ name: String, macros: [String: String] = [:]) throws -> MilterResponse {
        var writer = PayloadWriter()
        try writer.cString(name, field: "HELO name")
        return try step(.helo, writer.bytes, macros: macros, stage: .helo)
    }

    /// Reports MAIL FROM (SMFIC_MAIL): the sender exactly as given (MTAs send it in angle
    /// brackets), then each ESMTP parameter (`SIZE=100`, `BODY=8BITMIME`).
    public func mail(from sender: String, parameters: [String] = [], macros: [String: String] = [:]) throws -> MilterResponse {
        try step(.mail, Self.argumentList(sender, parameters, field: "sender"), macros: macros, stage: .envelopeFrom)
    }

    /// Reports RCPT TO (SMFIC_RCPT): the recipient exactly as given, then each ESMTP parameter.
    public func recipient(_ recipient: String, parameters: [String] = [], macros: [String: String] = [:]) throws -> MilterResponse {
        try step(.recipient, Self.argumentList(recipient, parameters, field: "recipient"), macros: macros, stage: .envelopeRecipient)
    }

    /// Reports DATA (SMFIC_DATA).
    public func data(macros: [String: String] = [:]) throws -> MilterResponse {
        try step(.data, [], macros: macros, stage: .data)
    }

    /// Sends one header (SMFIC_HEADER): name and value, the value's bytes as given (8-bit allowed, NUL refused).
    public func header(name: String, value: [UInt8]) throws -> MilterResponse {
        var writer = PayloadWriter()
        try writer.cString(name, field: "header name")
        try writer.cString(value, field: "value of header \(name)")
        return try step(.header, writer.bytes, macros: [:], stage: nil)
    }

    /// Sends one header with a text value.
    public func header(name: String, value: String) throws -> MilterResponse {
        try header(name: name, value: Array(value.utf8))
    }

    /// Reports the end of the headers (SMFIC_EOH).
    public func endOfHeaders(macros: [String: String] = [:]) throws -> MilterResponse {
        try step(.endOfHeaders, [], macros: macros, stage: .endOfHeaders)
    }

    /// Sends one body chunk (SMFIC_BODY) of at most `options.bodyChunkSize` bytes.
    public func bodyChunk(_ chunk: [UInt8]) throws -> MilterResponse {
        let limit = Self.chunkLimit(options)
        guard chunk.count <= limit else {
            throw MilterClientError(.invalidArgument, "a body chunk of \(chunk.count) bytes exceeds the \(limit)-byte limit")
        }
        return try step(.body, chunk, macros: [:], stage: nil, allowSkip: true)
    }

    /// Sends a whole body in chunks; stops at the first answer that is not continue (SKIP included)
    /// and returns it, or the last chunk's answer.
    public func body(_ body: [UInt8]) throws -> MilterResponse {
        let limit = Self.chunkLimit(options)
        var last = MilterResponse.continue
        var start = 0
        while start < body.count {
            let end = min(start + limit, body.count)
            last = try bodyChunk(Array(body[start..<end]))
            guard last.continuesTransaction else { return last }
            start = end
        }
        return last
    }

    /// Ends the message (SMFIC_BODYEOB) and collects every modification and the final answer.
    public func endOfMessage(macros: [String: String] = [:]) throws -> MilterEndOfMessageResult {
        try exchange { state in
            _ = try state.requireNegotiated()
            try state.sendMacros(.endOfMessage, macros)
            try state.send(MilterCommand.endOfMessage.rawValue, [])
            return try state.receiveEndOfMessage()
        }
    }

    /// Reports an SMTP command the MTA did not recognise (SMFIC_UNKNOWN).
    public func unknownCommand(_ command: String) throws -> MilterResponse {
        var writer = PayloadWriter()
        try writer.cString(command, field: "unknown command")
        return try step(.unknown, writer.bytes, macros: [:], stage: nil)
    }

    /// Abandons the current message (SMFIC_ABORT); the milter does not answer.
    public func abort() throws {
        try exchange { state in
            _ = try state.requireNegotiated()
            try state.send(MilterCommand.abort.rawValue, [])
            try state.flush()
        }
    }

    /// Ends the conversation (SMFIC_QUIT) and closes the socket. Closing is not an error if the milter already left.
    public func quit() throws {
        try exchange { state in
            defer { state.close() }
            try state.send(MilterCommand.quit.rawValue, [])
            try state.flush()
        }
    }

    /// Ends this SMTP session but keeps the socket for the next one (SMFIC_QUIT_NC); send `connect` next.
    public func quitNewConnection() throws {
        try exchange { state in
            _ = try state.requireNegotiated()
            try state.send(MilterCommand.quitNewConnection.rawValue, [])
            try state.flush()
        }
    }

    /// Sends any packet as given, for testing a milter's handling of malformed input.
    /// Nothing is checked; read what comes back with `receiveResponse()`.
    public func sendRawPacket(command: UInt8, payload: [UInt8]) throws {
        try exchange { state in
            try state.send(command, payload)
            try state.flush()
        }
    }

    /// Writes bytes as they are, no framing at all, for testing a milter's handling of garbage.
    public func sendRawBytes(_ bytes: [UInt8]) throws {
        try exchange { state in
            try state.flush()
            let deadline = ContinuousClock.now.advanced(by: state.options.commandTimeout)
            try state.openChannel().send(bytes, deadline: deadline)
        }
    }

    /// Reads the next answer (progress skipped), for use after `sendRawPacket`.
    public func receiveResponse() throws -> MilterResponse {
        try exchange { state in
            try state.receiveStepResponse(to: "a raw packet", allowSkip: true)
        }
    }

    /// Sends a step unless negotiated away, and waits for its answer unless negotiated silent.
    private func step(
        _ step: MilterStep, _ payload: [UInt8], macros: [String: String], stage: MacroStage?, allowSkip: Bool = false
    ) throws -> MilterResponse {
        try exchange { state in
            let negotiated = try state.requireNegotiated()
            let disabled = negotiated.steps.contains(step.disabledBy)
            if let stage, !disabled || state.options.sendMacrosForDisabledSteps {
                try state.sendMacros(stage, macros)
            }
            if disabled {
                return .stepDisabled
            }
            try state.send(step.command.rawValue, payload)
            if negotiated.steps.contains(step.noReplyBy) {
                return .noReply
            }
            return try state.receiveStepResponse(to: step.name, allowSkip: allowSkip)
        }
    }

    private static func argumentList(_ first: String, _ parameters: [String], field: String) throws -> [UInt8] {
        var writer = PayloadWriter()
        // The address may stand for bytes that are not UTF-8 (EnvelopeText).
        try writer.cString(EnvelopeText.bytes(first), field: field)
        for parameter in parameters {
            try writer.cString(parameter, field: "ESMTP parameter")
        }
        return writer.bytes
    }

    private static func chunkLimit(_ options: Options) -> Int {
        max(1, min(options.bodyChunkSize, Int(maximumBodyChunkSize)))
    }
}

extension ConnectionState {
    /// Sends SMFIC_MACRO for a stage: its command letter, then name and value pairs (sorted, so
    /// the bytes are reproducible). Nothing is sent for an empty set.
    mutating func sendMacros(_ stage: MacroStage, _ macros: [String: String]) throws {
        var macros = macros
        // As Postfix does: a stage whose list the milter set (smfi_setsymlist) gets only those
        // macros; `i` and `{i}` name the same one.
        if let wanted = negotiated?.requestedMacros[stage] {
            let bare = Set(wanted.map(Self.unbraced))
            macros = macros.filter { bare.contains(Self.unbraced($0.key)) }
        }
        guard !macros.isEmpty else { return }
        var writer = PayloadWriter()
        writer.byte(stage.command.rawValue)
        for (name, value) in macros.sorted(by: { $0.key < $1.key }) {
            try writer.cString(name, field: "macro name")
            try writer.cString(value, field: "value of macro \(name)")
        }
        try send(MilterCommand.macro.rawValue, writer.bytes)
    }

    private static func unbraced(_ name: String) -> Substring {
        name.hasPrefix("{") && name.hasSuffix("}") && name.count > 2 ? name.dropFirst().dropLast() : Substring(name)
    }
}
