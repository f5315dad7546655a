/// One packet as read from the wire: the command (or response) byte and its payload.
struct MilterPacket: Sendable, Equatable {
    let command: UInt8
    let payload: [UInt8]
}

/// A response packet decoded into what it means for the step that is waiting.
enum DecodedResponse: Equatable {
    /// A final answer to the step.
    case response(MilterResponse)
    /// A change to the message (only valid at end of message).
    case modification(MilterModification)
    /// A replacement body chunk, merged into one `.replaceBody` by the caller.
    case replaceBodyChunk([UInt8])
    /// The milter asked for more time; keep waiting.
    case progress
    /// The milter's option negotiation reply.
    case negotiation(MilterNegotiation)
}

extension MilterPacket {
    /// Decodes a packet the milter sent; throws `.unknownResponse` for a letter no version defines.
    func decodeResponse() throws -> DecodedResponse {
        guard let code = MilterResponseCode(rawValue: command) else {
            throw MilterClientError(
                .unknownResponse,
                "the milter sent response \(describeCommandByte(command)), which the milter protocol does not define"
            )
        }
        var reader = PayloadReader(payload, packetName: "\(describeCommandByte(command))")
        switch code {
        case .continue: return .response(.continue)
        case .accept: return .response(.accept)
        case .reject: return .response(.reject)
        case .tempfail: return .response(.tempfail)
        case .discard: return .response(.discard)
        case .skip: return .response(.skip)
        case .connectionFailure: return .response(.connectionFailure)
        case .shutdown: return .response(.shutdown)
        case .progress: return .progress
        case .replyCode:
            let text = try reader.cString("reply text")
            do {
                return .response(.replyCode(try SMTPReply(milterText: text)))
            } catch {
                // Postfix's milter8.c likewise refuses a malformed reply (and uses its default action).
                throw MilterClientError(.invalidReply, "the milter sent a malformed reply \"\(text.prefix(120))\": \(error.reason)")
            }
        case .addHeader:
            let name = try reader.cString("header name")
            let value = try reader.cString("header value")
            return .modification(.addHeader(name: name, value: value))
        case .insertHeader:
            let index = try reader.uint32("header index")
            let name = try reader.cString("header name")
            let value = try reader.cString("header value")
            return .modification(.insertHeader(index: index, name: name, value: value))
        case .changeHeader:
            let index = try reader.uint32("header index")
            let name = try reader.cString("header name")
            let value = try reader.cString("header value")
            return .modification(.changeHeader(name: name, index: index, value: value))
        case .addRecipient:
            return .modification(.addRecipient(try EnvelopeText.string(reader.cStringBytes("recipient")), parameters: nil))
        case .addRecipientWithParameters:
            let recipient = try EnvelopeText.string(reader.cStringBytes("recipient"))
            let parameters = try reader.optionalCString("ESMTP parameters")
            return .modification(.addRecipient(recipient, parameters: parameters))
        case .deleteRecipient:
            return .modification(.deleteRecipient(try EnvelopeText.string(reader.cStringBytes("recipient"))))
        case .changeFrom:
            let sender = try EnvelopeText.string(reader.cStringBytes("sender"))
            let parameters = try reader.optionalCString("ESMTP parameters")
            return .modification(.changeFrom(sender, parameters: parameters))
        case .quarantine:
            return .modification(.quarantine(reason: try reader.cString("quarantine reason")))
        case .replaceBody:
            return .replaceBodyChunk(Array(reader.rest()))
        case .optionNegotiation:
            return .negotiation(try MilterNegotiation(decoding: &reader))
        case .setMacroList:
            throw MilterClientError(
                .unexpectedResponse,
                "the milter sent a macro list ('l') outside option negotiation"
            )
        }
    }
}
