import Sockets

/// libmilter's listening socket, which it does not expose: found among the process's
/// descriptors by what it is bound to (module Sockets does the looking).
enum ListeningSocket {
    /// The listening sockets of this process bound to `spec`'s port (inet) or path (unix).
    static func find(_ spec: SocketSpec) -> [Int32] {
        ProcessSockets.listening().filter { _, endpoint in
            switch (endpoint, spec.kind) {
            case (.tcp(_, let port, .ipv4), .inet(let wanted, _)), (.tcp(_, let port, .ipv6), .inet6(let wanted, _)):
                return port == wanted
            case (.unix(let path), .unix(let wanted)):
                return path == wanted
            default:
                return false
            }
        }.map(\.descriptor)
    }

    /// Sets `TCP_NODELAY` on a listening TCP socket; accepted sockets inherit it.
    ///
    /// Why: libmilter writes each reply in small pieces; with Nagle's algorithm on, the second
    /// piece waits for the MTA's delayed ACK (~40 ms) on every header and body step.
    static func setNoDelay(_ fd: Int32) -> Bool {
        ProcessSockets.setNoDelay(fd)
    }

    /// Connects to the listening socket `fd` and hangs up at once.
    ///
    /// Why: libmilter's listener checks for stop only when `select` returns, which it does every
    /// 5 seconds (MI_CHK_TIME) when nothing connects. A connection wakes it at once; the worker
    /// that takes it reads end-of-file and drops it without calling any filter callback but close
    /// (which finds no state and does nothing).
    static func wake(_ fd: Int32) {
        ProcessSockets.wake(fd)
    }
}
