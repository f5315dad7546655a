/// The mutable part of a `MilterConnection`: the socket and the negotiated options.
/// Only touched under the connection's lock.
struct ConnectionState {
    var channel: SocketChannel?
    var negotiated: MilterNegotiation?
    let options: MilterConnection.Options

    init(channel: SocketChannel, options: MilterConnection.Options) {
        self.channel = channel
        self.options = options
    }

    /// Closes the socket once.
    mutating func close() {
        channel?.close()
        channel = nil
    }

    /// The socket, or `.notReady` when closed.
    func openChannel() throws -> SocketChannel {
        guard let channel else {
            throw MilterClientError(.notReady, "the connection to the milter is closed")
        }
        return channel
    }

    /// The negotiated options, or `.notReady` before negotiation.
    func requireNegotiated() throws -> MilterNegotiation {
        _ = try openChannel()
        guard let negotiated else {
            throw MilterClientError(.notReady, "option negotiation has not happened yet; call negotiate() first")
        }
        return negotiated
    }

    /// Writes one packet within the command timeout.
    func send(_ command: UInt8, _ payload: [UInt8]) throws {
        let deadline = ContinuousClock.now.advanced(by: options.commandTimeout)
        try openChannel().send(framePacket(command: command, payload: payload), deadline: deadline)
    }

    /// Reads and decodes one packet, waiting until `deadline`.
    func receive(until deadline: ContinuousClock.Instant) throws -> DecodedResponse {
        let packet = try openChannel().receivePacket(maximumSize: options.maximumPacketSize, deadline: deadline)
        return try packet.decodeResponse()
    }

    /// Waits for the answer to a step: progress packets extend the wait, a modification or a
    /// negotiation packet here is a protocol violation, SKIP only answers body chunks.
    func receiveStepResponse(to step: String, allowSkip: Bool = false) throws -> MilterResponse {
        var deadline = ContinuousClock.now.advanced(by: options.commandTimeout)
        while true {
            switch try receive(until: deadline) {
            case .progress:
                deadline = ContinuousClock.now.advanced(by: options.commandTimeout)
            case .response(.skip) where !allowSkip:
                throw MilterClientError(.unexpectedResponse, "the milter answered SKIP to \(step); only body chunks may be skipped")
            case .response(let response):
                return response
            case .modification, .replaceBodyChunk:
                throw MilterClientError(
                    .unexpectedResponse,
                    "the milter asked for a message modification in reply to \(step); only end of message allows that"
                )
            case .negotiation:
                throw MilterClientError(.unexpectedResponse, "the milter sent an option negotiation packet in reply to \(step)")
            }
        }
    }

    /// Collects modifications and progress until the final answer to end of message.
    func receiveEndOfMessage() throws -> MilterEndOfMessageResult {
        var deadline = ContinuousClock.now.advanced(by: options.endOfMessageTimeout)
        var modifications: [MilterModification] = []
        var bodyIndex: Int?
        while true {
            switch try receive(until: deadline) {
            case .progress:
                modifications.append(.progress)
                deadline = ContinuousClock.now.advanced(by: options.endOfMessageTimeout)
            case .modification(let modification):
                modifications.append(modification)
            case .replaceBodyChunk(let chunk):
                if let index = bodyIndex, case .replaceBody(let body) = modifications[index] {
                    modifications[index] = .replaceBody(body + chunk)
                } else {
                    bodyIndex = modifications.count
                    modifications.append(.replaceBody(chunk))
                }
            case .response(.skip):
                throw MilterClientError(.unexpectedResponse, "the milter answered SKIP to end of message")
            case .response(let response):
                return MilterEndOfMessageResult(response: response, modifications: modifications)
            case .negotiation:
                throw MilterClientError(.unexpectedResponse, "the milter sent an option negotiation packet at end of message")
            }
        }
    }
}
