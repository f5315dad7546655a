import Glibc

/// A one-way "stop now" flag that can also be waited on, with a timeout, and polled together
/// with sockets: a pipe whose read end becomes readable once ``signal()`` is called and stays
/// so (nothing ever reads it). Glibc's module map hides `eventfd`; a pipe does the same job.
///
/// Background work sleeps in ``wait(for:)`` instead of polling an atomic flag, so a stop
/// takes effect at once however long the sleep.
public final class StopSignal: Sendable {
    /// The pipe's read end, polled by waiters; closed at the end of the signal's life.
    let descriptor: Int32
    /// The pipe's write end.
    private let writeEnd: Int32

    /// Creates an unsignalled flag.
    public init() throws(SocketError) {
        var ends: [Int32] = [-1, -1]
        _ = try syscall("pipe") { pipe(&ends) }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(descriptor)
        close(writeEnd)
    }

    /// Sets the flag and wakes every waiter; later calls change nothing.
    public func signal() {
        var one: UInt8 = 1
        // A full pipe (after 64 KiB of signals) fails with EAGAIN and is still readable: signalled.
        _ = Glibc.write(writeEnd, &one, 1)
    }

    /// Whether ``signal()`` has been called.
    public var isSignalled: Bool { wait(milliseconds: 0) }

    /// Sleeps for `duration` or until signalled; returns true when signalled.
    public func wait(for duration: Duration) -> Bool {
        let deadline = ContinuousClock.now + duration
        while true {
            if wait(milliseconds: pollMilliseconds(until: deadline)) { return true }
            if ContinuousClock.now >= deadline { return false }
        }
    }

    private func wait(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        // Only EINTR and EINVAL are possible here; either way the flag is not seen set yet.
        return Glibc.poll(&entry, 1, milliseconds) > 0
    }
}
