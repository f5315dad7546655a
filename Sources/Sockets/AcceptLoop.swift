import Glibc

/// The one accept loop: takes connections from a ``Listener`` until a ``StopSignal`` says
/// stop, and survives running out of descriptors or memory.
///
/// Why: an accept loop that returns on an unexpected errno takes its service down with no
/// trace. Under descriptor exhaustion (EMFILE, ENFILE) the pending connection stays queued and
/// the listener stays readable, so retrying at once spins a core; this loop backs off
/// (doubling up to a ceiling) on EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNABORTED and any errno
/// it does not know, reports the start and the end of each such episode once through
/// `report`, and serves again as soon as descriptors come back. Only an unusable listener
/// (EBADF, EINVAL, ENOTSOCK, ...) ends it, with a thrown error.
public struct AcceptLoop: Sendable {
    /// What happened to the loop, for one log line each.
    public enum Event: Sendable, Equatable {
        /// Accepting started failing with `error`; the loop backs off until it works again.
        case exhausted(SocketError)
        /// Accepting works again after `failures` failed attempts.
        case recovered(failures: Int)
    }

    /// The errno values that mean the listener itself is unusable: retrying cannot help.
    static let fatal: Set<Int32> = [EBADF, EINVAL, ENOTSOCK, EOPNOTSUPP, EFAULT]
    /// Errors accept(2) passes on from the new connection's network; retried at once (man accept).
    static let network: Set<Int32> = [ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, ENETUNREACH]

    private let listener: Listener
    private let stop: StopSignal
    private let backoff: ClosedRange<Duration>

    /// - Parameters:
    ///   - listener: where connections arrive.
    ///   - stop: ends ``run(report:handle:)`` promptly, also during a backoff.
    ///   - backoff: the first and the longest wait after a failed accept.
    public init(listener: Listener, stop: StopSignal, backoff: ClosedRange<Duration> = .milliseconds(10) ... .seconds(1)) {
        self.listener = listener
        self.stop = stop
        self.backoff = backoff
    }

    /// Accepts until stopped, handing each connection (non-blocking, close-on-exec) to `handle`
    /// on this thread; the connection is closed once nothing holds its ``Socket`` any more
    /// (when `handle` returns, unless it passed the socket on, e.g. to a thread of its own).
    ///
    /// Returns when `stop` is signalled; throws only when the listener itself is unusable
    /// (closed, not a socket).
    public func run(report: (Event) -> Void, handle: (Socket) -> Void) throws(SocketError) {
        var failures = 0
        var delay = backoff.lowerBound
        var entries = [
            pollfd(fd: listener.socket.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            _ = try syscall("poll") { poll(&entries, 2, -1) }
            if entries[1].revents != 0 || stop.isSignalled { return }
            let descriptor = listener.socket.descriptor
            do throws(SocketError) {
                guard let client = try syscall("accept", wouldBlock: true, { accept(descriptor, nil, nil) }) else {
                    continue
                }
                // Glibc's module map hides accept4, so the flags are set just after: a child
                // started in that instant (only the update scheduler starts any) could inherit it.
                let socket = Socket(adopting: client)
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                if failures > 0 { report(.recovered(failures: failures)) }
                failures = 0
                delay = backoff.lowerBound
                handle(socket)
            } catch {
                guard let number = error.errno, !Self.network.contains(number) else { continue }
                guard !Self.fatal.contains(number) else { throw error.doing("accepting on \(listener.endpoint)") }
                // EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNABORTED, and anything unforeseen: back off.
                if failures == 0 { report(.exhausted(error.doing("accepting on \(listener.endpoint)"))) }
                failures += 1
                if stop.wait(for: delay) { return }
                delay = min(delay * 2, backoff.upperBound)
            }
        }
    }
}
