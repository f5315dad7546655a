import Glibc

/// The one funnel every system call of this module passes through, in the manner of
/// swift-nio's `NIOPosix/System.swift`: a call interrupted by a signal (EINTR) is made again,
/// "would block" (EAGAIN, EWOULDBLOCK) is an answer when the caller asked for it (`nil`), and
/// any other failure throws a ``SocketError`` naming the call and its errno.
///
/// - Parameters:
///   - call: the system call's name, for the error.
///   - wouldBlock: return nil on EAGAIN instead of throwing (non-blocking descriptors).
///   - body: the call; a negative result means failure with `errno` set.
@inline(__always)
func syscall<Result: BinaryInteger>(
    _ call: String, wouldBlock: Bool = false, _ body: () -> Result
) throws(SocketError) -> Result? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let number = errno
        switch number {
        case EINTR:
            continue
        case EAGAIN where wouldBlock, EWOULDBLOCK where wouldBlock:
            return nil
        default:
            throw SocketError.failed(call, number)
        }
    }
}

/// ``syscall(_:wouldBlock:_:)`` for calls that never answer "would block".
@inline(__always)
func syscall<Result: BinaryInteger>(_ call: String, _ body: () -> Result) throws(SocketError) -> Result {
    // Without wouldBlock the funnel throws instead of returning nil.
    guard let result = try syscall(call, wouldBlock: false, body) else { return 0 }
    return result
}

/// Milliseconds left until `deadline` for `poll`: at least 1 while any time remains, 0 after.
func pollMilliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
    let left = ContinuousClock.now.duration(to: deadline)
    guard left > .zero else { return 0 }
    let (seconds, attoseconds) = left.components
    return Int32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
}
