/// The mutable part of a `MilterConnection`: the socket and the negotiated options.
/// Only touched under the connection's lock.
struct ConnectionState {
    var channel: SocketChannel?
    var negotiated: MilterNegotiation?
    let options: MilterConnection.Options
    /// Packets written with `options.holdsPacketsUntilReply` and not yet on the wire.
    private var held: [UInt8] = []

    init(channel: SocketChannel, options: MilterConnection.Options) {
        self.channel = channel
        self.options = options
    }

    /// Closes the socket once; held packets are dropped with it.
    mutating func close() {
        channel?.close()
        channel = nil
        held = []
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

    /// Writes one packet within the command timeout, or, with `options.holdsPacketsUntilReply`,
    /// adds it to the held packets that the next read (or `flush`) sends in one write.
    mutating func send(_ command: UInt8, _ payload: [UInt8]) throws {
        let packet = framePacket(command: command, payload: payload)
        guard options.holdsPacketsUntilReply else {
            let deadline = ContinuousClock.now.advanced(by: options.commandTimeout)
            try openChannel().send(packet, deadline: deadline)
            return
        }
        _ = try openChannel()
        held.append(contentsOf: packet)
        // Bound what is held (a body negotiated as no-reply could be megabytes).
        if held.count >= Self.heldLimit { try flush() }
    }

    /// Writes the held packets, if any, within the command timeout.
    mutating func flush() throws {
        guard !held.isEmpty else { return }
        let deadline = ContinuousClock.now.advanced(by: options.commandTimeout)
        try openChannel().send(held, deadline: deadline)
        held.removeAll(keepingCapacity: true)
    }

    private static let heldLimit = 64 << 10

    /// Reads and decodes one packet, waiting until `deadline`; adds its size to `total`.
    /// Held packets go out first: the answer cannot come before the question.
    mutating func receive(until deadline: ContinuousClock.Instant, total: inout Int) throws -> DecodedResponse {
        try flush()
        let packet = try openChannel().receivePacket(maximumSize: options.maximumPacketSize, deadline: deadline)
        total += packet.payload.count + 5
        return try packet.decodeResponse()
    }

    /// Reads and decodes one packet, waiting until `deadline`.
    mutating func receive(until deadline: ContinuousClock.Instant) throws -> DecodedResponse {
        var total = 0
        return try receive(until: deadline, total: &total)
    }

    /// Waits for the answer to a step: progress packets extend the wait, a modification or a
    /// negotiation packet here is a protocol violation, SKIP only answers body chunks.
    mutating func receiveStepResponse(to step: String, allowSkip: Bool = false) throws -> MilterResponse {
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
    mutating func receiveEndOfMessage() throws -> MilterEndOfMessageResult {
        var deadline = ContinuousClock.now.advanced(by: options.endOfMessageTimeout)
        var modifications: [MilterModification] = []
        var bodyIndex: Int?
        var total = 0
        while true {
            let decoded = try receive(until: deadline, total: &total)
            guard total <= options.maximumEndOfMessageBytes else {
                throw MilterClientError(
                    .oversizedPacket,
                    "the milter's answer to end of message exceeds \(options.maximumEndOfMessageBytes) bytes"
                )
            }
            switch decoded {
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
