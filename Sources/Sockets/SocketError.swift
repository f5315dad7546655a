import Glibc

/// A socket operation that failed: which system call, its `errno`, and what it was for.
///
/// Every failure in this module is one of these, made in one place (``syscall(_:_:wouldBlock:_:)``),
/// so a log line always names the call that failed instead of a bare "I/O error".
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable, CustomStringConvertible {
        /// A system call failed; ``SocketError/errno`` says why.
        case system
        /// The deadline passed before the socket was ready.
        case timedOut
        /// The peer closed or reset the connection.
        case peerClosed
        /// A host name did not resolve to an address.
        case unresolved

        /// The kind's name.
        public var description: String { rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The system call that failed (`connect`, `accept4`, `poll`), or the step when none did.
    public let call: String
    /// The `errno` of the failed call, when a call failed.
    public let errno: Int32?
    /// What was being done (`connecting to unix:/run/x.sock`); may be empty.
    public let detail: String

    /// Creates an error; `errno` is set when a system call failed.
    public init(_ code: Code, call: String, errno: Int32? = nil, detail: String = "") {
        self.code = code
        self.call = call
        self.errno = errno
        self.detail = detail
    }

    /// The error for `call` failing with `number`: a reset or broken pipe is `.peerClosed`.
    static func failed(_ call: String, _ number: Int32, _ detail: String = "") -> SocketError {
        let code: Code = number == ECONNRESET || number == EPIPE ? .peerClosed : .system
        return SocketError(code, call: call, errno: number, detail: detail)
    }

    /// The system's text for ``errno`` (`Connection refused`), or the kind when there is none.
    public var reason: String {
        guard let errno else { return code == .timedOut ? "timed out" : code.rawValue }
        return String(cString: strerror(errno))
    }

    /// This error with what was being done filled in, for a caller that knows more.
    public func doing(_ what: String) -> SocketError {
        SocketError(code, call: call, errno: errno, detail: detail.isEmpty ? what : detail)
    }

    /// `connecting to inet:25@mx: connect: Connection refused (errno 111)`.
    public var description: String {
        let prefix = detail.isEmpty ? "" : "\(detail): "
        if code == .timedOut { return "\(prefix)timed out" }
        guard let errno else { return "\(prefix)\(call): \(code)" }
        return "\(prefix)\(call): \(reason) (errno \(errno))"
    }
}
