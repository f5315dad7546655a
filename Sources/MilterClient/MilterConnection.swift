import Synchronization

/// The MTA side of one milter connection (protocol version 6), over a unix or TCP socket.
///
/// Blocking and synchronous: every step writes one packet and, unless the milter negotiated the
/// step away or asked for no reply, waits up to a timeout for its answer. Use one connection per
/// thread of work; the connection is `Sendable` because all of its state sits behind one lock,
/// so calls from several threads are serialised, never interleaved on the wire.
///
/// A protocol violation, timeout or socket error closes the connection and throws a
/// `MilterClientError`; only `.invalidArgument` (nothing was sent) leaves it usable.
public final class MilterConnection: Sendable {
    /// Timeouts, limits and what to offer at negotiation.
    public struct Options: Sendable {
        /// How long connecting to the milter's socket may take.
        public var connectTimeout: Duration = .seconds(10)
        /// How long to wait for the answer to each step (Postfix's `milter_command_timeout`).
        public var commandTimeout: Duration = .seconds(30)
        /// How long to wait at end of message; each progress packet restarts it
        /// (Postfix's `milter_content_timeout`).
        public var endOfMessageTimeout: Duration = .seconds(300)
        /// The largest packet accepted from the milter; a larger announced length is an error.
        public var maximumPacketSize: Int = 1 << 20
        /// The most bytes of packets accepted in answer to one end of message (modifications,
        /// replacement body, progress); bounds the memory a runaway milter can make us hold.
        public var maximumEndOfMessageBytes: Int = 64 << 20
        /// The largest body chunk sent; at most 65535 (MILTER_CHUNK_SIZE), what libmilter accepts by default.
        public var bodyChunkSize: Int = Int(MilterConnection.maximumBodyChunkSize)
        /// What the MTA offers at negotiation: protocol version, actions and steps.
        public var offer = MilterNegotiation()
        /// Send the macros of a step even when the milter negotiated that step away, as Postfix does.
        public var sendMacrosForDisabledSteps = true
        /// Hold the packets that expect no answer (macros, no-reply steps) and send them in one
        /// write with the next packet that does, as Postfix's buffered streams do; off, each
        /// packet is its own write. Fewer writes and wake-ups on both sides (milter-load).
        public var holdsPacketsUntilReply = false

        /// Creates the defaults.
        public init() {}
    }

    /// The largest body chunk libmilter accepts without a larger negotiated data size.
    public static let maximumBodyChunkSize: UInt32 = 65535

    /// Where this connection goes.
    public let spec: MilterSocketSpec
    /// The options it was opened with.
    public let options: Options

    private let state: Mutex<ConnectionState>

    /// Connects to the milter's socket; call `negotiate()` next (or use `open`).
    public init(connectingTo spec: MilterSocketSpec, options: Options = Options()) throws {
        self.spec = spec
        self.options = options
        let channel = try SocketChannel.connect(to: spec, timeout: options.connectTimeout)
        state = Mutex(ConnectionState(channel: channel, options: options))
    }

    /// Connects to a socket given as a spec string (`unix:/path`, `inet:PORT@HOST`, ...).
    public convenience init(connectingTo spec: String, options: Options = Options()) throws {
        try self.init(connectingTo: MilterSocketSpec(parsing: spec), options: options)
    }

    /// Connects and negotiates: the usual way to start.
    public static func open(_ spec: MilterSocketSpec, options: Options = Options()) throws -> MilterConnection {
        let connection = try MilterConnection(connectingTo: spec, options: options)
        _ = try connection.negotiate()
        return connection
    }

    deinit {
        state.withLock { $0.close() }
    }

    /// What this connection offers at negotiation (`options.offer`).
    public var offered: MilterNegotiation { options.offer }

    /// What the milter answered at negotiation, or nil before `negotiate()`.
    public var negotiated: MilterNegotiation? {
        state.withLock { $0.negotiated }
    }

    /// True until the connection is closed by `quit()`, `close()` or an error.
    public var isOpen: Bool {
        state.withLock { $0.channel != nil }
    }

    /// Closes the socket without telling the milter (like an MTA that lost its SMTP client).
    public func close() {
        state.withLock { $0.close() }
    }

    /// Runs one exchange under the lock; an error other than a refused argument closes the connection.
    func exchange<Result: Sendable>(_ body: (inout ConnectionState) throws -> Result) throws -> Result {
        try state.withLock { (state: inout ConnectionState) throws -> Result in
            do {
                return try body(&state)
            } catch let error as MilterClientError {
                if error.code != .invalidArgument && error.code != .notReady {
                    state.close()
                }
                throw error
            }
        }
    }
}
