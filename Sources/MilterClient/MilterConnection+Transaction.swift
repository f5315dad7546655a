extension MilterConnection {
    /// Runs one whole message through the milter: MAIL, RCPT for each recipient, DATA, the
    /// headers, end of headers, the body in chunks and end of message, with the envelope's macros
    /// before each stage.
    ///
    /// As an MTA does, it stops at the first answer that ends the message (reject, tempfail,
    /// discard, accept, a reply code, ...) and then sends ABORT so the milter forgets the message.
    /// A recipient refused on its own is recorded and the transaction goes on while one remains.
    /// Call `connect` and `helo` once before the first message.
    public func sendMessage(_ raw: [UInt8], envelope: MilterEnvelope) throws -> MilterTransactionResult {
        let keepSpace = negotiated?.steps.contains(.headerLeadingSpace) ?? false
        return try sendMessage(MilterMessage(parsing: raw, keepLeadingSpace: keepSpace), envelope: envelope)
    }

    /// Runs one already split message through the milter; see `sendMessage(_:envelope:)`.
    public func sendMessage(_ message: MilterMessage, envelope: MilterEnvelope) throws -> MilterTransactionResult {
        try Self.validate(message)
        var result = MilterTransactionResult(
            response: .continue, stage: .mail, modifications: [], refusedRecipients: [], bodySkipped: false
        )
        func ended(_ response: MilterResponse, at stage: MilterTransactionResult.Stage) throws -> MilterTransactionResult {
            result.response = response
            result.stage = stage
            // The decision is in hand; a milter that hung up after it must not turn it into an error.
            if isOpen {
                try? abort()
            }
            return result
        }

        let mailResponse = try mail(
            from: "<\(envelope.sender)>", parameters: envelope.senderParameters, macros: envelope.macros[.envelopeFrom] ?? [:]
        )
        guard mailResponse.continuesTransaction else { return try ended(mailResponse, at: .mail) }

        var accepted = 0
        var lastRefusal = MilterResponse.reject
        for recipient in envelope.recipients {
            let response = try self.recipient(
                "<\(recipient.address)>", parameters: recipient.parameters, macros: envelope.macros[.envelopeRecipient] ?? [:]
            )
            switch response {
            case .continue, .noReply, .stepDisabled:
                accepted += 1
            case .reject, .tempfail, .replyCode:
                result.refusedRecipients.append(.init(address: recipient.address, response: response))
                lastRefusal = response
            default:
                return try ended(response, at: .recipient)
            }
        }
        guard accepted > 0 else { return try ended(lastRefusal, at: .recipient) }

        let dataResponse = try data(macros: envelope.macros[.data] ?? [:])
        guard dataResponse.continuesTransaction else { return try ended(dataResponse, at: .data) }

        for header in message.headers {
            let response = try self.header(name: header.name, value: header.value)
            guard response.continuesTransaction else { return try ended(response, at: .header) }
        }
        let eohResponse = try endOfHeaders(macros: envelope.macros[.endOfHeaders] ?? [:])
        guard eohResponse.continuesTransaction else { return try ended(eohResponse, at: .endOfHeaders) }

        let bodyResponse = try body(message.body)
        if bodyResponse == .skip {
            result.bodySkipped = true
        } else if !bodyResponse.continuesTransaction {
            return try ended(bodyResponse, at: .body)
        }

        let end = try endOfMessage(macros: envelope.macros[.endOfMessage] ?? [:])
        result.response = end.response
        result.stage = .endOfMessage
        result.modifications = end.modifications
        return result
    }

    /// Refuses, before anything is sent, a header the protocol cannot carry.
    private static func validate(_ message: MilterMessage) throws {
        for header in message.headers {
            if let position = header.value.firstIndex(of: 0) {
                throw MilterClientError(
                    .invalidArgument,
                    "value of header \(header.name) contains a NUL byte at offset \(position); the milter protocol cannot carry it"
                )
            }
        }
    }
}
