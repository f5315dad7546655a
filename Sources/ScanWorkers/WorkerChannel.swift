#if canImport(Glibc)
import Glibc
#endif
import CSandbox

/// One end of a `SOCK_SEQPACKET` socket pair between the milter and a scan process: each send
/// is one message, optionally carrying a descriptor, and arrives whole or not at all.
///
/// Not shared between threads: a channel belongs to one worker, and the worker to one scan at a time.
final class WorkerChannel: @unchecked Sendable {
    // @unchecked: the descriptor is set once and closed once; callers never use a channel from
    // two threads at a time (the pool hands a worker to one scan).
    let descriptor: Int32
    private var closed = false

    /// The longest message either side sends (a reply lists virus names).
    static let capacity = 64 << 10

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        if !closed { Glibc.close(descriptor) }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    /// A connected pair, both ends close-on-exec.
    static func pair() throws(WorkerError) -> (WorkerChannel, WorkerChannel) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw WorkerError(.io, "socketpair: \(String(cString: strerror(errno)))")
        }
        return (WorkerChannel(descriptor: ends[0]), WorkerChannel(descriptor: ends[1]))
    }

    /// Sends `text` and, when given, `passing` (the receiver gets its own copy).
    func send(_ text: String, passing: Int32? = nil) throws(WorkerError) {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { buffer in
            scanmilter_send_with_descriptor(descriptor, buffer.baseAddress, buffer.count, passing ?? -1)
        }
        guard sent == bytes.count else {
            let code = errno
            throw WorkerError(code == EPIPE || code == ECONNRESET ? .closed : .io, "send: \(String(cString: strerror(code)))")
        }
    }

    /// Receives one message, waiting until `deadline` (nil: no limit). The descriptor that came
    /// with it, if any, belongs to the caller.
    func receive(until deadline: ContinuousClock.Instant? = nil) throws(WorkerError) -> (text: String, descriptor: Int32?) {
        if let deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while true {
                let remaining = deadline - .now
                let milliseconds = remaining <= .zero ? 0 : Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
                let ready = poll(&poller, 1, milliseconds)
                if ready > 0 { break }
                if ready == 0 { throw WorkerError(.timeout, "no answer in time") }
                if errno != EINTR { throw WorkerError(.io, "poll: \(String(cString: strerror(errno)))") }
            }
        }
        var buffer = [UInt8](repeating: 0, count: Self.capacity)
        var passed: Int32 = -1
        let count = buffer.withUnsafeMutableBytes { raw in
            scanmilter_receive_with_descriptor(descriptor, raw.baseAddress, raw.count, &passed)
        }
        if count < 0 {
            let code = errno
            throw WorkerError(code == ECONNRESET ? .closed : .io, "receive: \(String(cString: strerror(code)))")
        }
        if count == 0 {
            if passed >= 0 { Glibc.close(passed) }
            throw WorkerError(.closed, "the other end closed")
        }
        return (String(decoding: buffer[..<count], as: UTF8.self), passed >= 0 ? passed : nil)
    }
}
