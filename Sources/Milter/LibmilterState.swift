import Logging
import Synchronization

/// What `register` hands the trampolines: how to make a connection's box, and its logger.
struct Registration: Sendable {
    let name: String
    let flags: ActionFlags
    let logger: Logger
    let makeBox: @Sendable (LibmilterContext, ResponseRules) throws -> ConnectionBox
}

/// libmilter's process-wide settings as this module tracks them (libmilter itself keeps one
/// filter per process, so these are globals too).
struct LibmilterState: Sendable {
    var registration: Registration?
    var policy: ExceptionPolicy = .tempfail
    var spec: SocketSpec?
    var socketOpened = false
    var mainStarted = false
    var mainRunning = false
    var stopRequested = false
    /// libmilter's listening socket(s), found after smfi_opensocket; used to wake the listener.
    var listeningDescriptors: [Int32] = []
}

/// Shared by every worker thread; read once per new connection, written by the setup calls.
let libmilterState = Mutex(LibmilterState())
/// pymilter's getdiag counters: connection states made and released. Atomics, because every
/// worker thread updates them.
let contextsCreated = Atomic<Int>(0)
let contextsDeleted = Atomic<Int>(0)
/// Numbers connections for the `milter.conn_id` log metadata.
let connectionIDs = Atomic<Int>(0)
