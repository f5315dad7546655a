import Logging

/// One step of a connection, decoded from libmilter's C arguments.
enum ConnectionEvent {
    case connect(hostname: String, address: PeerAddress)
    case helo(String)
    case envelopeFrom(String, ESMTPParameters)
    case envelopeRecipient(String, ESMTPParameters)
    case data
    case unknown(String)
    case header(MilterHeader)
    case endOfHeaders
    /// The chunk is libmilter's buffer, valid only during the callback.
    case body(UnsafeRawBufferPointer)
    case endOfMessage
    case abort
    case close

    var callback: MilterCallback {
        switch self {
        case .connect: .connect
        case .helo: .helo
        case .envelopeFrom: .envelopeFrom
        case .envelopeRecipient: .envelopeRecipient
        case .data: .data
        case .unknown: .unknown
        case .header: .header
        case .endOfHeaders: .endOfHeaders
        case .body: .body
        case .endOfMessage: .endOfMessage
        case .abort: .abort
        case .close: .close
        }
    }
}

/// What libmilter's private pointer holds for a connection: its context, its answering rules
/// and the user's typed state. The subclass knows the state's type; the trampolines see this one.
///
/// `@unchecked Sendable`: a box is reached only through libmilter's `smfi_getpriv` from the
/// callbacks of its own connection. libmilter never runs two of those at once, and hands a
/// connection between worker threads under its own mutex, so no two threads touch a box at the
/// same time and each sees the previous callback's writes. No lock is needed or taken.
class ConnectionBox: @unchecked Sendable {
    let context: LibmilterContext
    var rules: ResponseRules

    init(context: LibmilterContext, rules: ResponseRules) {
        self.context = context
        self.rules = rules
    }

    /// libmilter's own protocol flags: `SMFIP_NO*` for the steps with no registered callback
    /// (see libmilter's listener.c), which is what `SMFIS_ALL_OPTS` keeps.
    var defaultSteps: ProtocolSteps { [] }

    /// Runs the negotiate callback; nil when none is registered.
    func negotiate(_ offer: NegotiationOffer) throws -> NegotiationResult? { nil }

    /// Runs the callback for `event`; nil when none is registered.
    func dispatch(_ event: ConnectionEvent) throws -> MilterResponse? { nil }
}

/// A ``ConnectionBox`` holding state of a known type and the callbacks that use it.
final class TypedConnectionBox<State>: ConnectionBox, @unchecked Sendable {
    private var state: State
    private let callbacks: MilterCallbacks<State>

    init(context: LibmilterContext, rules: ResponseRules, callbacks: MilterCallbacks<State>) throws {
        self.callbacks = callbacks
        self.state = try callbacks.makeState(context)
        super.init(context: context, rules: rules)
    }

    override var defaultSteps: ProtocolSteps {
        let registered = callbacks.registered
        let libmilterDefaults: [MilterCallback] = [
            .connect, .helo, .envelopeFrom, .envelopeRecipient, .header, .endOfHeaders, .body,
        ]
        return libmilterDefaults.reduce(into: []) { steps, callback in
            if !registered.contains(callback), let flag = callback.noStepFlag { steps.insert(flag) }
        }
    }

    override func negotiate(_ offer: NegotiationOffer) throws -> NegotiationResult? {
        try callbacks.negotiate?(&state, offer, context)
    }

    override func dispatch(_ event: ConnectionEvent) throws -> MilterResponse? {
        switch event {
        case .connect(let hostname, let address):
            return try callbacks.connect?(&state, hostname, address, context)
        case .helo(let name):
            return try callbacks.helo?(&state, name, context)
        case .envelopeFrom(let address, let parameters):
            return try callbacks.envelopeFrom?(&state, address, parameters, context)
        case .envelopeRecipient(let address, let parameters):
            return try callbacks.envelopeRecipient?(&state, address, parameters, context)
        case .data:
            return try callbacks.data?(&state, context)
        case .unknown(let command):
            return try callbacks.unknown?(&state, command, context)
        case .header(let header):
            return try callbacks.header?(&state, header, context)
        case .endOfHeaders:
            return try callbacks.endOfHeaders?(&state, context)
        case .body(let buffer):
            guard let body = callbacks.body else { return nil }
            // Borrowed: the span cannot escape the call, and libmilter's buffer outlives it.
            return try body(&state, buffer.bytes, context)
        case .endOfMessage:
            return try callbacks.endOfMessage?(&state, context)
        case .abort:
            return try callbacks.abort?(&state, context)
        case .close:
            return try callbacks.close?(&state, context)
        }
    }
}
