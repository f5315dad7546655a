import Foundation
import Logging
public import Sockets

/// Tells systemd how the daemon is doing (sd_notify(3), natively): one datagram of
/// `KEY=value` lines to the unix socket `$NOTIFY_SOCKET` names, which a `Type=notify` unit sets.
///
/// `READY=1` once the milter socket listens and signatures are loaded, `RELOADING=1` …
/// `READY=1` around a signature reload, `STOPPING=1` on shutdown, `STATUS=` for
/// `systemctl status`, and `WATCHDOG=1` keep-alives when the unit sets `WatchdogSec=`. Without
/// `$NOTIFY_SOCKET` (not under systemd) every call does nothing. A notification that cannot be
/// sent is logged by the caller's choice and never stops mail.
public final class SystemdNotifier: Sendable {
    /// The socket `$NOTIFY_SOCKET` named (a path, or `@name` in the abstract namespace); nil: off.
    public let socketPath: String?
    /// How often systemd wants `WATCHDOG=1` (`$WATCHDOG_USEC`, for this process); nil: no watchdog.
    public let watchdogInterval: Duration?

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` from `environment`.
    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        // sd_watchdog_enabled(3): WATCHDOG_PID, when set, must be ours (a child must not answer).
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if forUs, let text = environment["WATCHDOG_USEC"], let micros = Int64(text), micros > 0 {
            watchdogInterval = .microseconds(micros)
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether the process runs under a `Type=notify` unit.
    public var isEnabled: Bool { socketPath != nil }

    /// `READY=1` with a status line: startup is complete, or a reload has finished.
    public func ready(status: String) throws(SocketError) {
        try send(["READY=1", "STATUS=\(status)"])
    }

    /// `RELOADING=1` with the monotonic time systemd ≥ 253 asks for (`Type=notify-reload`
    /// rejects a reload without it); ``ready(status:)`` ends the reload.
    public func reloading(status: String) throws(SocketError) {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())", "STATUS=\(status)"])
    }

    /// `STOPPING=1`: shutdown has begun (messages in flight are finishing).
    public func stopping(status: String) throws(SocketError) {
        try send(["STOPPING=1", "STATUS=\(status)"])
    }

    /// `WATCHDOG=1`: the daemon checked itself and is alive.
    public func watchdog() throws(SocketError) {
        try send(["WATCHDOG=1"])
    }

    /// Sends `lines` as one datagram; does nothing without `$NOTIFY_SOCKET`.
    func send(_ lines: [String]) throws(SocketError) {
        guard let socketPath else { return }
        // One socket per message, as sd_notify does: systemd may be restarted (daemon-reexec)
        // and a connected socket would then point at nothing.
        let socket = try Socket.datagram(connectedTo: socketPath)
        defer { socket.close() }
        // A newline inside a value would start a line systemd reads as another assignment.
        let text = lines.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n") + "\n"
        try socket.write(text, until: .now + .seconds(5))
    }

    /// CLOCK_MONOTONIC in microseconds (what `MONOTONIC_USEC` means).
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}

extension SystemdNotifier {
    /// Runs one notification; a failure becomes a warning in the log, never an error for mail.
    func tell(_ logger: Logger, _ send: () throws(SocketError) -> Void) {
        do throws(SocketError) {
            try send()
        } catch {
            logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
        }
    }
}
