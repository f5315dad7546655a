import Foundation
import Logging
import Sockets
import Synchronization

/// A named piece of background work on its own thread (the signature watcher, the update and
/// retention schedulers, the control and metrics servers).
///
/// The body gets the job's ``StopSignal`` and does all its waiting on it (`stop.wait(for:)`,
/// or polling the signal with its sockets), so ``stop(waitingUpTo:)`` takes effect at once
/// instead of after a polling interval. A body that throws, or returns before it was told to
/// stop, is logged: background work never ends quietly.
final class BackgroundJob: Sendable {
    /// The job's name in log lines (`control socket`, `signature watcher`).
    let name: String
    /// Signalled by ``stop(waitingUpTo:)``.
    let stopSignal: StopSignal
    /// Signalled when the body has returned.
    private let done: StopSignal
    private let started = Atomic<Bool>(false)
    private let logger: Logger

    /// A job that has not started yet.
    init(name: String, logger: Logger) throws(SocketError) {
        self.name = name
        self.logger = logger
        stopSignal = try StopSignal()
        done = try StopSignal()
    }

    /// Runs `body` on a new thread, once; later calls do nothing.
    func start(_ body: @escaping @Sendable (_ stop: StopSignal) throws -> Void) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            defer { done.signal() }
            do {
                try body(stopSignal)
                if !stopSignal.isSignalled {
                    logger.error("background job ended on its own", metadata: ["job": "\(name)"])
                }
            } catch {
                logger.error("background job died", metadata: ["job": "\(name)", "error": "\(error)"])
            }
        }
        thread.name = name
        thread.start()
    }

    /// Tells the body to stop and waits up to `patience` for it to return (a body in the
    /// middle of a long step, e.g. an update child process, is left to finish on its own).
    func stop(waitingUpTo patience: Duration = .seconds(10)) {
        stopSignal.signal()
        guard started.load(ordering: .acquiring) else { return }
        if !done.wait(for: patience) {
            logger.warning("background job still busy at stop; not waiting for it", metadata: ["job": "\(name)"])
        }
    }
}

extension Logger {
    /// One line for the start and one for the end of an accept loop's trouble, never one per
    /// failed accept.
    func acceptLoop(_ event: AcceptLoop.Event, job: String) {
        switch event {
        case .exhausted(let error):
            warning("cannot accept connections; backing off until resources come back",
                    metadata: ["job": "\(job)", "error": "\(error)"])
        case .recovered(let failures):
            notice("accepting connections again", metadata: ["job": "\(job)", "accept.failures": "\(failures)"])
        }
    }
}
