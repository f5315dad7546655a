import Glibc
public import Logging
import Sockets

/// A log file that logrotate can move away: on SIGUSR1 the file is opened again by its path
/// and the new file takes the old one's descriptor number (`dup2`), so the log handler, which
/// holds only that number, writes to the new file from its next line on, with no lock and no
/// moment when the descriptor is closed.
///
/// SIGUSR1 must be blocked in every thread (block it with the stop signals before any thread
/// starts, `Libmilter.blockStopSignals(also:)`); ``LogReopener`` then takes it with `sigtimedwait`.
public final class LogFile: Sendable {
    /// The file's path, opened again on each reopen.
    public let path: String
    /// The descriptor lines are written to; the same number for the life of the process.
    public let descriptor: Int32

    /// The signal that asks for a reopen (logrotate's postrotate sends it).
    public static let reopenSignal = SIGUSR1

    /// Opens (creating, appending) the file at `path`.
    public init(path: String) throws(LogFileError) {
        self.path = path
        let opened = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard opened >= 0 else { throw LogFileError(call: "open", errno: errno, path: path) }
        descriptor = opened
    }

    /// Opens `path` again and puts the new file under ``descriptor``.
    public func reopen() throws(LogFileError) {
        let fresh = try syscallResult("open") { Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640) }
        defer { close(fresh) }
        // dup2 swaps the file behind the number atomically. Glibc's module map hides dup3, so
        // close-on-exec, which dup2 clears, is set again just after (a child started in that
        // instant, only the update scheduler starts any, could inherit the log file).
        _ = try syscallResult("dup2") { dup2(fresh, descriptor) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    private func syscallResult(_ call: String, _ body: () -> Int32) throws(LogFileError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            if errno != EINTR { throw LogFileError(call: call, errno: errno, path: path) }
        }
    }
}

/// Reopens a ``LogFile`` each time SIGUSR1 arrives, on a thread of its own.
public final class LogReopener: Sendable {
    private let file: LogFile
    private let logger: Logger
    private let job: BackgroundJob

    /// A reopener that waits once ``start()`` is called.
    public init(file: LogFile, logger: Logger) throws {
        self.file = file
        self.logger = logger
        job = try BackgroundJob(name: "log reopener", logger: logger)
    }

    /// Starts waiting for the signal.
    public func start() {
        job.start { [self] stop in
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, LogFile.reopenSignal)
            // sigwait cannot also wait for the stop signal: look at it twice a second.
            var timeout = timespec(tv_sec: 0, tv_nsec: 500_000_000)
            while !stop.isSignalled {
                guard sigtimedwait(&signals, nil, &timeout) == LogFile.reopenSignal else { continue }
                do throws(LogFileError) {
                    try file.reopen()
                    logger.notice("log file reopened", metadata: ["log.path": "\(file.path)"])
                } catch {
                    logger.error("cannot reopen the log file; writing to the old one", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Stops waiting for the signal.
    public func stop() {
        job.stop()
    }
}

/// A log file that could not be opened: the call, its errno and the path.
public struct LogFileError: Error, Sendable, CustomStringConvertible {
    /// `open` or `dup2`.
    public let call: String
    /// The failed call's errno.
    public let errno: Int32
    /// The log file.
    public let path: String

    /// `log file /var/log/x.log: open: Permission denied (errno 13)`.
    public var description: String { "log file \(path): \(call): \(String(cString: strerror(errno))) (errno \(errno))" }
}
