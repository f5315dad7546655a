import Logging
import Sockets

/// A listener whose connections are served one at a time, on this server's own
/// ``BackgroundJob``, by the one accept loop: what the control socket and the metrics endpoint
/// share. Running out of descriptors is logged once per episode and outlived.
final class SocketServer: Sendable {
    /// Where connections arrive.
    let listener: Listener
    /// How long one connection may take, request and reply.
    let timeout: Duration
    private let job: BackgroundJob
    private let logger: Logger

    /// A server on `listener`, named `name` in log lines, giving each connection `timeout`;
    /// not serving until ``start(_:)``.
    init(_ listener: Listener, name: String, timeout: Duration = .seconds(5), logger: Logger) throws(SocketError) {
        self.listener = listener
        self.timeout = timeout
        self.logger = logger
        job = try BackgroundJob(name: name, logger: logger)
    }

    /// Serves each connection with `handle`, on the job's thread, until ``stop()``; `handle`
    /// gets the connection's deadline, and the connection is closed when it returns.
    func start(_ handle: @escaping @Sendable (_ client: Socket, _ deadline: ContinuousClock.Instant) -> Void) {
        job.start { [listener, logger, job, timeout] stop in
            try AcceptLoop(listener: listener, stop: stop).run(report: { logger.acceptLoop($0, job: job.name) }) { client in
                handle(client, .now + timeout)
            }
        }
    }

    /// Stops serving and closes the listener (a unix socket's file is removed).
    func stop() {
        job.stop()
        listener.close()
    }
}
