import Logging
import Sockets

/// A listener whose connections are served one at a time, on this server's own
/// ``BackgroundJob``, by the one accept loop: what the control socket and the metrics endpoint
/// share. Running out of descriptors is logged once per episode and outlived.
final class SocketServer: Sendable {
    /// Where connections arrive.
    let listener: Listener
    private let job: BackgroundJob
    private let logger: Logger

    /// A server on `listener`, named `name` in log lines; not serving until ``start(_:)``.
    init(_ listener: Listener, name: String, logger: Logger) throws(SocketError) {
        self.listener = listener
        self.logger = logger
        job = try BackgroundJob(name: name, logger: logger)
    }

    /// Serves each connection with `handle`, on the job's thread, until ``stop()``; the
    /// connection is closed when `handle` returns.
    func start(_ handle: @escaping @Sendable (Socket) -> Void) {
        job.start { [listener, logger, job] stop in
            try AcceptLoop(listener: listener, stop: stop).run(report: { logger.acceptLoop($0, job: job.name) }, handle: handle)
        }
    }

    /// Stops serving and closes the listener (a unix socket's file is removed).
    func stop() {
        job.stop()
        listener.close()
    }
}
