import Glibc
import Synchronization

/// A connected, non-blocking stream socket whose every wait is bounded by a deadline (`poll`),
/// so a stalled peer gives ``SocketError/Code/timedOut`` instead of a hung thread.
///
/// It owns its descriptor: ``close()`` or the end of its life closes it, once.
public final class Socket: Sendable {
    /// The descriptor, or -1 once closed.
    private let fd: Atomic<Int32>

    /// Takes ownership of `descriptor`, which must be a non-blocking stream socket.
    init(adopting descriptor: Int32) {
        fd = Atomic(descriptor)
    }

    deinit { close() }

    /// The descriptor (-1 after ``close()``), for `poll` and socket options.
    public var descriptor: Int32 { fd.load(ordering: .acquiring) }

    /// Closes the descriptor; later calls do nothing.
    public func close() {
        let descriptor = fd.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    /// Readiness conditions for ``wait(for:until:)``.
    public struct Events: OptionSet, Sendable {
        /// The `poll` bits.
        public let rawValue: Int16
        /// Creates a set from `poll` bits.
        public init(rawValue: Int16) { self.rawValue = rawValue }
        /// Data to read, or end of stream (`POLLIN`).
        public static let readable = Events(rawValue: Int16(POLLIN))
        /// Room to write (`POLLOUT`).
        public static let writable = Events(rawValue: Int16(POLLOUT))
        /// The peer hung up (`POLLHUP`).
        public static let hangUp = Events(rawValue: Int16(POLLHUP))
        /// An error is pending on the socket (`POLLERR`).
        public static let error = Events(rawValue: Int16(POLLERR))
    }

    /// Waits until the socket is ready for `events` and returns what `poll` reported (which may
    /// include ``Events/hangUp`` and ``Events/error``); throws `.timedOut` at the deadline.
    @discardableResult
    public func wait(for events: Events, until deadline: ContinuousClock.Instant) throws(SocketError) -> Events {
        while true {
            let milliseconds = pollMilliseconds(until: deadline)
            guard milliseconds > 0 else { throw SocketError(.timedOut, call: "poll") }
            var entry = pollfd(fd: descriptor, events: events.rawValue, revents: 0)
            if try syscall("poll", { Glibc.poll(&entry, 1, milliseconds) }) > 0 {
                return Events(rawValue: entry.revents)
            }
        }
    }

    /// Reads what is there, at most `buffer.count` bytes, waiting until the deadline for any;
    /// returns 0 at end of stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: ContinuousClock.Instant) throws(SocketError) -> Int {
        while true {
            let descriptor = self.descriptor
            if let count = try syscall("recv", wouldBlock: true, { recv(descriptor, buffer.baseAddress, buffer.count, 0) }) {
                return count
            }
            try wait(for: .readable, until: deadline)
        }
    }

    /// Reads at most `maximum` bytes (an empty array at end of stream).
    public func read(upTo maximum: Int, until deadline: ContinuousClock.Instant) throws(SocketError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: maximum)
        let count = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(SocketError) in try read(into: buffer, until: deadline) }
        }
        bytes.removeSubrange(try count.get()...)
        return bytes
    }

    /// Reads until the peer closes (at most `limit` bytes), waiting until the deadline.
    public func readToEnd(until deadline: ContinuousClock.Instant, limit: Int = 16 << 20) throws(SocketError) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < limit {
            let chunk = try read(upTo: min(65536, limit - bytes.count), until: deadline)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return bytes
    }

    /// Writes some of `bytes` (at least one unless empty) once the socket takes them.
    public func writeSome(_ bytes: UnsafeRawBufferPointer, until deadline: ContinuousClock.Instant) throws(SocketError) -> Int {
        while true {
            let descriptor = self.descriptor
            let count = try syscall("send", wouldBlock: true) {
                Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            }
            if let count { return count }
            try wait(for: .writable, until: deadline)
        }
    }

    /// Writes every byte of `bytes`, waiting for the socket to drain until the deadline.
    public func write(_ bytes: UnsafeRawBufferPointer, until deadline: ContinuousClock.Instant) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            offset += try writeSome(UnsafeRawBufferPointer(rebasing: bytes[offset...]), until: deadline)
        }
    }

    /// Writes every byte of `bytes`.
    public func write(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(SocketError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(SocketError) in try write(buffer, until: deadline) } }.get()
    }

    /// Writes `text` as UTF-8.
    public func write(_ text: String, until deadline: ContinuousClock.Instant) throws(SocketError) {
        try write(Array(text.utf8), until: deadline)
    }

    /// Sets an integer socket option; failures are ignored by callers that only tune.
    @discardableResult
    func setOption(_ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }
}
