import Foundation
public import Logging
import Synchronization

/// A `ScanBackend` over a pool of clamd servers.
///
/// Each scan goes to the up server with the fewest scans in flight (ties taken in turn, so an
/// idle pool is round-robin). A server that fails to connect, times out or breaks the protocol is
/// marked down and the scan is retried on another; a down server is probed with PING every
/// `retryInterval` (in the background while other servers carry the load, inline when none is
/// up) and returns to rotation when it answers. With every server down the verdict is
/// `.unscannable(.backendUnavailable)`, never a guess.
public final class ClamdBackend: ScanBackend {
    /// The pool's servers and timeouts.
    public struct Configuration: Sendable {
        /// The servers, in the order the first scans visit them.
        public var servers: [ClamdEndpoint]
        /// The longest wait for a server to accept a connection.
        public var connectTimeout: Duration
        /// The longest wait for a reply once a stream is sent (must exceed clamd's own
        /// MaxScanTime to let clamd report its limit instead).
        public var readTimeout: Duration
        /// How long a down server is left alone before the next PING.
        public var retryInterval: Duration
        /// The most servers one scan is tried on.
        public var maximumAttempts: Int
        /// Bytes per INSTREAM chunk.
        public var chunkSize: Int

        public init(
            servers: [ClamdEndpoint],
            connectTimeout: Duration = .seconds(2),
            readTimeout: Duration = .seconds(150),
            retryInterval: Duration = .seconds(5),
            maximumAttempts: Int = 3,
            chunkSize: Int = 64 * 1024
        ) {
            self.servers = servers
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.retryInterval = retryInterval
            self.maximumAttempts = maximumAttempts
            self.chunkSize = chunkSize
        }
    }

    /// The configuration was unusable.
    public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
        /// What is wrong with it.
        public var message: String
        public var description: String { "clamd pool: \(message)" }
    }

    /// How often the database description is refreshed with VERSION.
    static let versionRefreshInterval: Duration = .seconds(60)

    public let configuration: Configuration
    private let clients: [ClamdClient]
    private let state: Mutex<ClamdPoolState>
    private let logger: Logger

    /// Creates the pool; servers start in rotation and are marked down by their first failure.
    public init(configuration: Configuration, logger: Logger) throws(ConfigurationError) {
        guard !configuration.servers.isEmpty else { throw ConfigurationError(message: "no servers configured") }
        guard configuration.maximumAttempts >= 1 else { throw ConfigurationError(message: "maximumAttempts must be at least 1") }
        guard configuration.chunkSize >= 1 else { throw ConfigurationError(message: "chunkSize must be at least 1") }
        self.configuration = configuration
        self.logger = logger
        clients = configuration.servers.map {
            ClamdClient(endpoint: $0, connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout,
                        chunkSize: configuration.chunkSize)
        }
        state = Mutex(ClamdPoolState(serverCount: configuration.servers.count))
    }

    // MARK: - ScanBackend

    public func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        run { client throws(ClamdError) in try client.scan(bytes) }
    }

    public func scan(fileDescriptor: Int32) -> ScanVerdict {
        run { client throws(ClamdError) in try client.scan(fileDescriptor: fileDescriptor) }
    }

    public var databaseDescription: String {
        state.withLock { $0.version } .map(ClamdReply.databaseDescription(fromVersion:)) ?? "clamd (version not yet known)"
    }

    /// Each server's state now, in configuration order.
    public var serverStatus: [ClamdServerStatus] {
        state.withLock { pool in
            pool.servers.enumerated().map { index, server in
                ClamdServerStatus(endpoint: configuration.servers[index], isUp: server.isUp, inFlight: server.inFlight,
                                  scans: server.scans, failures: server.failures, lastError: server.lastError)
            }
        }
    }

    /// PINGs every server now and updates which are up; returns the status afterwards.
    @discardableResult
    public func checkServers() -> [ClamdServerStatus] {
        for index in clients.indices { probe(index) }
        refreshVersionIfStale(force: true)
        return serverStatus
    }

    // MARK: - one scan, with failover

    private func run(_ operation: (ClamdClient) throws(ClamdError) -> ScanVerdict) -> ScanVerdict {
        probeDueServers()
        var tried: Set<Int> = []
        var errors: [ClamdError] = []
        for _ in 0..<configuration.maximumAttempts {
            guard let index = state.withLock({ $0.acquire(excluding: tried) }) else { break }
            tried.insert(index)
            do {
                let verdict = try operation(clients[index])
                state.withLock { $0.finish(index) }
                refreshVersionIfStale(force: false, using: index)
                return verdict
            } catch where error.code == .fileRead {
                // Our side failed, not the server: no retry, and the server stays in rotation.
                state.withLock { $0.release(index) }
                return .unscannable(UnscannableReason(.engineError, error.description))
            } catch {
                errors.append(error)
                markDown(index, error)
            }
        }
        let up = state.withLock { $0.servers.filter(\.isUp).count }
        let detail = errors.isEmpty
            ? "all \(clients.count) clamd servers are down"
            : "\(errors.count) clamd server(s) failed (\(up) of \(clients.count) up): " + errors.map(\.description).joined(separator: "; ")
        let timedOut = !errors.isEmpty && errors.allSatisfy { $0.code == .timeout }
        return .unscannable(UnscannableReason(timedOut ? .timeout : .backendUnavailable, detail))
    }

    private func markDown(_ index: Int, _ error: ClamdError) {
        let wasUp = state.withLock { $0.fail(index, error: error.description, nextProbe: .now + configuration.retryInterval) }
        if wasUp {
            logger.warning("clamd server marked down", metadata: [
                "clamd.server": "\(configuration.servers[index])", "clamd.error": "\(error)",
            ])
        }
    }

    // MARK: - bringing servers back

    /// Probes down servers whose retry time has come: in the background when another server is
    /// up (no message waits for a dead host's connect timeout), inline when none is.
    private func probeDueServers() {
        let (due, anyUp) = state.withLock { $0.claimDueProbes(now: .now, nextProbe: .now + configuration.retryInterval) }
        guard !due.isEmpty else { return }
        if anyUp {
            Thread.detachNewThread { [self] in
                for index in due { probe(index) }
            }
        } else {
            for index in due { probe(index) }
        }
    }

    /// PINGs one server and records the outcome.
    private func probe(_ index: Int) {
        do {
            try clients[index].ping()
            let cameBack = state.withLock { $0.recover(index) }
            if cameBack {
                logger.notice("clamd server back in rotation", metadata: ["clamd.server": "\(configuration.servers[index])"])
            }
        } catch {
            state.withLock { $0.probeFailed(index, error: error.description) }
        }
    }

    /// Asks for VERSION at most once a minute, on a server that just answered.
    private func refreshVersionIfStale(force: Bool, using preferred: Int? = nil) {
        let now = ContinuousClock.now
        let claimed = state.withLock { pool -> Bool in
            if !force, let fetched = pool.versionFetched, fetched.duration(to: now) < Self.versionRefreshInterval { return false }
            pool.versionFetched = now
            return true
        }
        guard claimed else { return }
        let candidates = preferred.map { [$0] } ?? Array(clients.indices)
        for index in candidates where state.withLock({ $0.servers[index].isUp }) {
            if let version = try? clients[index].version() {
                state.withLock { $0.version = version }
                return
            }
        }
    }
}

/// One clamd server's state as the pool sees it.
public struct ClamdServerStatus: Sendable, Equatable {
    /// The server.
    public var endpoint: ClamdEndpoint
    /// Whether scans are sent to it.
    public var isUp: Bool
    /// Scans running on it now.
    public var inFlight: Int
    /// Scans it has completed (any verdict).
    public var scans: Int
    /// Failures seen (connect, timeout, I/O, protocol).
    public var failures: Int
    /// The last failure, if any.
    public var lastError: String?
}
