import CMilter
import Glibc
public import Logging

/// libmilter's process-wide API: pymilter's `milter` module with Swift names.
///
/// A process runs one filter: ``register(name:flags:callbacks:logger:)`` once, then
/// ``setConnection(_:)``, optionally ``openSocket(removeStale:tcpNoDelay:)``, then ``main()``,
/// which blocks until ``stop()`` or a stop signal. ``runMilter(name:socket:timeout:removeStaleSocket:actions:exceptionPolicy:backlog:tcpNoDelay:logger:onListening:factory:)``
/// does all of this for a ``MilterHandler``.
public enum Libmilter {
    /// Registers the filter's name, action flags and callbacks (`smfi_register`; pymilter
    /// `register(name, negotiate=, unknown=, data=)` with `set_flags` and `set_*_callback`).
    public static func register<State>(
        name: String, flags: ActionFlags = .all, callbacks: MilterCallbacks<State>, logger: Logger
    ) throws(MilterError) {
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw .invalidArgument(function: "smfi_register", reason: "the filter name is empty or contains NUL")
        }
        // The exception policy's reply names the filter: a name no SMTP reply can carry would
        // leave every failure with the MTA's generic text, so refuse it here, loudly.
        guard ExceptionPolicy.tempfail.response(milterName: name, callback: .connect).reply != nil else {
            throw .invalidArgument(function: "smfi_register", reason: "the filter name \"\(name)\" cannot appear in an SMTP reply")
        }
        let registered = callbacks.registered
        let registration = Registration(
            name: name, flags: flags, logger: logger,
            makeBox: { context, rules in try TypedConnectionBox(context: context, rules: rules, callbacks: callbacks) }
        )
        var description = smfiDesc()
        // libmilter copies the name; this copy lives as long as the process (one per register).
        description.xxfi_name = strdup(name)
        description.xxfi_version = SMFI_VERSION
        description.xxfi_flags = UInt(flags.rawValue)
        description.xxfi_negotiate = registered.contains(.negotiate) ? milterNegotiate : nil
        description.xxfi_connect = registered.contains(.connect) ? milterConnect : nil
        description.xxfi_helo = registered.contains(.helo) ? milterHelo : nil
        description.xxfi_envfrom = registered.contains(.envelopeFrom) ? milterEnvelopeFrom : nil
        description.xxfi_envrcpt = registered.contains(.envelopeRecipient) ? milterEnvelopeRecipient : nil
        description.xxfi_header = registered.contains(.header) ? milterHeader : nil
        description.xxfi_eoh = registered.contains(.endOfHeaders) ? milterEndOfHeaders : nil
        description.xxfi_body = registered.contains(.body) ? milterBody : nil
        description.xxfi_eom = registered.contains(.endOfMessage) ? milterEndOfMessage : nil
        description.xxfi_abort = registered.contains(.abort) ? milterAbort : nil
        description.xxfi_data = registered.contains(.data) ? milterData : nil
        description.xxfi_unknown = registered.contains(.unknown) ? milterUnknown : nil
        // Always registered: close releases the connection's state.
        description.xxfi_close = milterClose
        guard smfi_register(description) == MI_SUCCESS else { throw .callFailed(function: "smfi_register") }
        libmilterState.withLock { $0.registration = registration }
    }

    /// Sets where the filter listens (`smfi_setconn`; pymilter `setconn`).
    public static func setConnection(_ spec: SocketSpec) throws(MilterError) {
        let rc = spec.text.withCString { smfi_setconn(UnsafeMutablePointer(mutating: $0)) }
        guard rc == MI_SUCCESS else { throw .callFailed(function: "smfi_setconn") }
        libmilterState.withLock { $0.spec = spec }
    }

    /// Checks a spec string and sets it; a malformed spec throws
    /// ``MilterError/invalidSocketSpec(spec:reason:)`` here, before main.
    public static func setConnection(_ spec: String) throws(MilterError) {
        try setConnection(SocketSpec(spec))
    }

    /// Opens the listening socket now rather than in main (`smfi_opensocket`; pymilter
    /// `opensocket(rmsock)`). `removeStale` removes a leftover unix socket file first.
    ///
    /// With `tcpNoDelay` (the default) an inet/inet6 listening socket gets `TCP_NODELAY`, which
    /// accepted sockets inherit: without it a filter that answers headers and body chunks waits
    /// for the MTA's delayed ACK (Nagle's algorithm) about 44 ms per message, 22.7 instead of
    /// 2,800 messages/s, measured with a C libmilter filter on loopback. libmilter does not expose the socket, so it
    /// is found among the process's descriptors by its port.
    public static func openSocket(removeStale: Bool, tcpNoDelay: Bool = true) throws(MilterError) {
        let (spec, logger) = libmilterState.withLock { ($0.spec, $0.registration?.logger) }
        guard let spec, let logger else {
            throw .wrongOrder(function: "smfi_opensocket", reason: "call register and setConnection first")
        }
        guard smfi_opensocket(removeStale ? 1 : 0) == MI_SUCCESS else {
            throw .socketUnavailable(spec: spec.text, reason: openFailureReason(spec, removeStale: removeStale))
        }
        let listening = ListeningSocket.find(spec)
        libmilterState.withLock {
            $0.socketOpened = true
            $0.listeningDescriptors = listening
        }
        if tcpNoDelay, spec.port != nil {
            let count = listening.filter(ListeningSocket.setNoDelay).count
            if count == 0 {
                logger.warning("no listening TCP socket found to set TCP_NODELAY on; expect ~44 ms stalls per message",
                               metadata: ["milter.socket": "\(spec)"])
            }
        }
    }

    /// Runs the filter until ``stop()`` or SIGHUP/SIGTERM/SIGINT (`smfi_main`; pymilter `main`).
    ///
    /// Opens the socket first if ``openSocket(removeStale:tcpNoDelay:)`` was not called. Blocks
    /// the stop signals on the calling thread, as libmilter does before it starts its threads;
    /// threads started earlier must have them blocked too, so call ``blockStopSignals()`` first
    /// thing in the program. Runs once per process.
    public static func main() throws(MilterError) {
        let (opened, started) = libmilterState.withLock { state in
            defer { state.mainStarted = true }
            return (state.socketOpened, state.mainStarted)
        }
        guard !started else { throw .wrongOrder(function: "smfi_main", reason: "runs once per process") }
        if !opened { try openSocket(removeStale: false) }
        blockStopSignals()
        libmilterState.withLock { $0.mainRunning = true }
        let rc = smfi_main()
        libmilterState.withLock { $0.mainRunning = false }
        guard rc == MI_SUCCESS else { throw .callFailed(function: "smfi_main") }
    }

    /// Makes main return soon: no new connections are accepted, connections in progress are
    /// not waited for (`smfi_stop`; pymilter `stop`). Returns at once; safe from any thread,
    /// including a callback, but not from a signal handler.
    ///
    /// Why not just `smfi_stop`: it takes libmilter's listener lock, which the listener holds
    /// while it waits in `select` for up to 5 seconds (MI_CHK_TIME) when nobody connects, so
    /// main would go on for up to 5 s and the caller would block as long. Instead a helper thread
    /// calls `smfi_stop`, and another connects to the listening socket every 50 ms until main has
    /// returned: each connection wakes the listener, which lets go of the lock, sees the stop
    /// and returns. The worker that gets such a connection reads end-of-file and drops it.
    public static func stop() {
        enum Plan { case plain, wake, alreadyWaking }
        let plan = libmilterState.withLock { state -> Plan in
            guard state.mainRunning else { return .plain }
            if state.stopRequested { return .alreadyWaking }
            state.stopRequested = true
            return .wake
        }
        switch plan {
        case .plain:
            _ = smfi_stop()
            return
        case .alreadyWaking:
            return
        case .wake:
            break
        }
        detachThread { smfi_stop() }
        detachThread {
            for _ in 0..<200 {
                usleep(50_000)
                let descriptors = libmilterState.withLock { $0.mainRunning ? $0.listeningDescriptors : [] }
                if descriptors.isEmpty { return }
                descriptors.forEach(ListeningSocket.wake)
            }
        }
    }

    /// Sets libmilter's debug trace level, 0 for none (`smfi_setdbg`; pymilter `setdbg`).
    public static func setDebugLevel(_ level: Int) throws(MilterError) {
        guard smfi_setdbg(Int32(clamping: level)) == MI_SUCCESS else { throw .callFailed(function: "smfi_setdbg") }
    }

    /// Sets how long libmilter waits on the MTA's socket, in whole seconds (`smfi_settimeout`;
    /// pymilter `settimeout`). libmilter's default is 7210 seconds.
    public static func setTimeout(seconds: Int) throws(MilterError) {
        guard seconds > 0 else { throw .invalidArgument(function: "smfi_settimeout", reason: "timeout must be positive") }
        guard smfi_settimeout(Int32(clamping: seconds)) == MI_SUCCESS else {
            throw .callFailed(function: "smfi_settimeout")
        }
    }

    /// Sets the listen backlog; call before the socket is opened (`smfi_setbacklog`; pymilter `setbacklog`).
    public static func setBacklog(_ backlog: Int) throws(MilterError) {
        guard backlog > 0 else { throw .invalidArgument(function: "smfi_setbacklog", reason: "backlog must be positive") }
        guard smfi_setbacklog(Int32(clamping: backlog)) == MI_SUCCESS else {
            throw .callFailed(function: "smfi_setbacklog")
        }
    }

    /// What a callback that throws answers, for connections opened from now on (pymilter
    /// `set_exception_policy`). The default is ``ExceptionPolicy/tempfail``.
    public static func setExceptionPolicy(_ policy: ExceptionPolicy) {
        libmilterState.withLock { $0.policy = policy }
    }

    /// The exception policy in force.
    public static var exceptionPolicy: ExceptionPolicy {
        libmilterState.withLock { $0.policy }
    }

    /// Connection states made and released so far (pymilter `getdiag`).
    public static var diagnostics: MilterDiagnostics {
        MilterDiagnostics(contextsCreated: contextsCreated.load(ordering: .relaxed),
                          contextsDeleted: contextsDeleted.load(ordering: .relaxed))
    }

    /// The version of the libmilter running now (`smfi_version`; pymilter `getversion`).
    public static var runtimeVersion: LibmilterVersion {
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var patchLevel: UInt32 = 0
        _ = smfi_version(&major, &minor, &patchLevel)
        return LibmilterVersion(major: Int(major), minor: Int(minor), patchLevel: Int(patchLevel))
    }

    /// The libmilter API version this module was compiled against (`SMFI_VERSION`; pymilter `VERSION`).
    public static var compileTimeVersion: LibmilterVersion {
        LibmilterVersion(encoded: cmilter_compile_time_version())
    }

    /// libmilter reports why opening failed only to syslog; guess the usual causes.
    private static func openFailureReason(_ spec: SocketSpec, removeStale: Bool) -> String {
        switch spec.kind {
        case .unix(let path):
            var status = stat()
            if stat(path, &status) == 0 && !removeStale {
                return "\(path) already exists: another milter is listening there, or it is a stale socket (remove it, or ask to remove stale sockets)"
            }
            let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            if !directory.isEmpty && access(directory, W_OK) != 0 {
                return "cannot create a socket in \(directory) (missing or not writable)"
            }
            return "cannot listen on \(path)"
        case .inet(let port, let host), .inet6(let port, let host):
            return "cannot listen on port \(port)\(host.map { " of \($0)" } ?? ""): it may be in use, or the host is not a local address"
        }
    }
}
