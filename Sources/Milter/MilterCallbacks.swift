/// The low-level callbacks of a milter, pymilter's `set_*_callback` functions in one value.
///
/// `State` is the typed per-connection state that replaces `smfi_setpriv`/`smfi_getpriv`:
/// ``makeState`` creates it at a connection's first callback, every callback gets it `inout`,
/// and it is released after `close`. A callback left nil is not registered with libmilter, which
/// then asks the MTA not to send that step.
///
/// Callbacks run on libmilter's worker threads, one at a time per connection; they may block
/// (a blocked callback holds a worker) and must not start tasks that outlive them.
public struct MilterCallbacks<State>: Sendable {
    /// A callback with no arguments beyond the state and context.
    public typealias Step = @Sendable (inout State, any MilterContext) throws -> MilterResponse
    /// A callback taking one string (HELO name, unknown command).
    public typealias TextStep = @Sendable (inout State, String, any MilterContext) throws -> MilterResponse
    /// A callback taking an envelope address and its ESMTP parameters.
    public typealias AddressStep = @Sendable (inout State, String, ESMTPParameters, any MilterContext) throws -> MilterResponse

    /// Creates a connection's state at its first callback (negotiate, or connect with old MTAs).
    public var makeState: @Sendable (any MilterContext) throws -> State
    /// `xxfi_negotiate`; pymilter `register(negotiate=)`.
    public var negotiate: (@Sendable (inout State, NegotiationOffer, any MilterContext) throws -> NegotiationResult)?
    /// `xxfi_connect`: hostname and peer address; pymilter `set_connect_callback`.
    public var connect: (@Sendable (inout State, String, PeerAddress, any MilterContext) throws -> MilterResponse)?
    /// `xxfi_helo`; pymilter `set_helo_callback`.
    public var helo: TextStep?
    /// `xxfi_envfrom`; pymilter `set_envfrom_callback`.
    public var envelopeFrom: AddressStep?
    /// `xxfi_envrcpt`; pymilter `set_envrcpt_callback`.
    public var envelopeRecipient: AddressStep?
    /// `xxfi_data`; pymilter `register(data=)`.
    public var data: Step?
    /// `xxfi_unknown`; pymilter `register(unknown=)`.
    public var unknown: TextStep?
    /// `xxfi_header`; pymilter `set_header_callback`.
    public var header: (@Sendable (inout State, MilterHeader, any MilterContext) throws -> MilterResponse)?
    /// `xxfi_eoh`; pymilter `set_eoh_callback`.
    public var endOfHeaders: Step?
    /// `xxfi_body`: the chunk is borrowed for the call only; pymilter `set_body_callback`.
    public var body: (@Sendable (inout State, RawSpan, any MilterContext) throws -> MilterResponse)?
    /// `xxfi_eom`; pymilter `set_eom_callback`.
    public var endOfMessage: Step?
    /// `xxfi_abort`; pymilter `set_abort_callback`.
    public var abort: Step?
    /// `xxfi_close`; not called for a connection whose state was never made; pymilter `set_close_callback`.
    public var close: Step?

    /// Creates callbacks with only a state factory; set the callbacks you need.
    public init(makeState: @escaping @Sendable (any MilterContext) throws -> State) {
        self.makeState = makeState
    }

    /// The callbacks that are set, negotiate included.
    public var registered: Set<MilterCallback> {
        let isSet: [(MilterCallback, Bool)] = [
            (.negotiate, negotiate != nil), (.connect, connect != nil), (.helo, helo != nil),
            (.envelopeFrom, envelopeFrom != nil), (.envelopeRecipient, envelopeRecipient != nil),
            (.data, data != nil), (.unknown, unknown != nil), (.header, header != nil),
            (.endOfHeaders, endOfHeaders != nil), (.body, body != nil), (.endOfMessage, endOfMessage != nil),
            (.abort, abort != nil),
        ]
        // close is always registered: it releases the connection's state.
        return Set(isSet.filter(\.1).map(\.0)).union([.close])
    }
}
