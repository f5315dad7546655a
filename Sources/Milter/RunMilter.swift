public import Logging

extension MilterCallbacks where State == any MilterHandler {
    /// Callbacks that make one handler per connection with `factory` and pass each step to it,
    /// decoded (what pymilter's `runmilter` sets up around `Milter.factory`).
    ///
    /// Makes one handler first and checks its declarations (``MilterHandler/checkDeclarations()``):
    /// a factory that fails, or a handler that implements a callback it does not declare, throws
    /// here, before anything is registered.
    public static func handler(_ factory: @escaping @Sendable () throws -> any MilterHandler) throws(MilterError) -> MilterCallbacks {
        let sample: any MilterHandler
        do {
            sample = try factory()
        } catch {
            throw .invalidArgument(function: "smfi_register", reason: "the handler factory failed: \(error)")
        }
        try sample.checkDeclarations()
        var callbacks = MilterCallbacks { _ in try factory() }
        callbacks.negotiate = { handler, offer, context in try handler.negotiate(offer, context: context) }
        callbacks.connect = { handler, hostname, address, context in
            try handler.connect(hostname: hostname, address: address, context: context)
        }
        callbacks.helo = { handler, name, context in try handler.helo(name, context: context) }
        callbacks.envelopeFrom = { handler, sender, parameters, context in
            try handler.envelopeFrom(sender, parameters: parameters, context: context)
        }
        callbacks.envelopeRecipient = { handler, recipient, parameters, context in
            try handler.envelopeRecipient(recipient, parameters: parameters, context: context)
        }
        callbacks.data = { handler, context in try handler.data(context: context) }
        callbacks.unknown = { handler, command, context in try handler.unknown(command, context: context) }
        callbacks.header = { handler, header, context in try handler.header(header, context: context) }
        callbacks.endOfHeaders = { handler, context in try handler.endOfHeaders(context: context) }
        callbacks.body = { handler, chunk, context in try handler.body(chunk, context: context) }
        callbacks.endOfMessage = { handler, context in try handler.endOfMessage(context: context) }
        callbacks.abort = { handler, context in try handler.abort(context: context) }
        callbacks.close = { handler, context in try handler.close(context: context) }
        return callbacks
    }
}

/// Runs a milter of ``MilterHandler``s until it is stopped (pymilter's `Milter.runmilter`).
///
/// Blocks the stop signals, checks `socket`, makes one handler to check its declarations
/// (``MilterHandler/checkDeclarations()``: an implemented callback left out of
/// ``MilterHandler/implementedCallbacks`` fails here, not silently later), registers, sets timeout and backlog, opens the
/// socket (removing a stale unix socket when asked; `TCP_NODELAY` for inet sockets), calls
/// `onListening`, then runs libmilter's main loop. Returns after ``Libmilter/stop()`` or
/// SIGHUP/SIGTERM; throws a ``MilterError`` naming the step that failed.
///
/// - Parameters:
///   - name: the filter's name, as the MTA's configuration knows it.
///   - socket: a ``SocketSpec`` string such as `unix:/run/milter.sock` or `inet:8890@127.0.0.1`.
///   - timeout: how long libmilter waits on the MTA; nil keeps libmilter's default (2 h).
///   - tcpNoDelay: set `TCP_NODELAY` on an inet listening socket (see ``Libmilter/openSocket(removeStale:tcpNoDelay:)``);
///     turn off only to measure what it saves.
///   - factory: makes the handler for each new connection; called on libmilter's threads.
public func runMilter(
    name: String,
    socket: String,
    timeout: Duration? = nil,
    removeStaleSocket: Bool = true,
    actions: ActionFlags = .all,
    exceptionPolicy: ExceptionPolicy = .tempfail,
    backlog: Int? = nil,
    tcpNoDelay: Bool = true,
    logger: Logger,
    onListening: (SocketSpec) -> Void = { _ in },
    factory: @escaping @Sendable () throws -> any MilterHandler
) throws(MilterError) {
    Libmilter.blockStopSignals()
    let spec = try SocketSpec(socket)
    Libmilter.setExceptionPolicy(exceptionPolicy)
    try Libmilter.register(name: name, flags: actions, callbacks: .handler(factory), logger: logger)
    try Libmilter.setConnection(spec)
    if let timeout {
        let (seconds, attoseconds) = timeout.components
        try Libmilter.setTimeout(seconds: Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
    if let backlog { try Libmilter.setBacklog(backlog) }
    try Libmilter.openSocket(removeStale: removeStaleSocket, tcpNoDelay: tcpNoDelay)
    logger.info("milter listening", metadata: ["milter.name": "\(name)", "milter.socket": "\(spec)"])
    onListening(spec)
    try Libmilter.main()
    logger.info("milter stopped", metadata: ["milter.name": "\(name)"])
}
