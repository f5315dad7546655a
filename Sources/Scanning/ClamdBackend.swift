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
///
/// `checkServers()` is the health check a daemon runs in the background: it PINGs every server,
/// so a dead one leaves rotation before mail meets it, and asks each for VERSION, which gives the
/// signature version and build time (`signatureBuildTime`) the staleness policy needs.
/// `reloadPool()` reloads the servers' signatures one at a time, each out of rotation meanwhile.
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
        /// In a pool reload, how long a server may take to answer with new signatures before it
        /// is taken back as it is (with concurrent reloads clamd keeps answering the old version
        /// while it loads, and an unchanged database never shows a new one).
        public var reloadSettle: Duration = .seconds(5)
        /// In a pool reload, the longest wait for one server to answer again after RELOAD.
        public var reloadTimeout: Duration = .seconds(120)
        /// The scans each server runs at once (its clamd `MaxThreads`), in `servers` order; a
        /// server without an entry takes ``ClamdEndpoint/defaultMaxThreads``, clamd's default.
        public var capacities: [Int] = []

        /// A pool of `servers`; the default read timeout outlasts clamd's own MaxScanTime (120 s).
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

    /// The settings the pool was created with.
    public let configuration: Configuration
    let clients: [ClamdClient]
    let state: Mutex<ClamdPoolState>
    let logger: Logger

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
        guard configuration.capacities.allSatisfy({ $0 >= 1 }) else {
            throw ConfigurationError(message: "a server's capacity must be at least 1")
        }
        let capacities = configuration.servers.indices.map {
            $0 < configuration.capacities.count ? configuration.capacities[$0] : ClamdEndpoint.defaultMaxThreads
        }
        state = Mutex(ClamdPoolState(capacities: capacities))
    }

    // MARK: - ScanBackend

    /// A scan waits on a remote server, not on this host's CPU: a message's scans go out at once.
    public var prefersParallelScans: Bool { true }

    /// The scans the servers in rotation can run at once (the sum of their capacities); 0 while
    /// every server is down or reloading. The daemon bounds the messages under scan by it.
    public var capacity: Int {
        state.withLock { $0.capacity }
    }

    /// Scans bytes with INSTREAM on the least-busy up server, failing over to others.
    public func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        run { client throws(ClamdError) in try client.scan(bytes) }
    }

    /// Streams a file (from its start, by pread) with INSTREAM, failing over like `scan(_:)`.
    public func scan(fileDescriptor: Int32) -> ScanVerdict {
        run { client throws(ClamdError) in try client.scan(fileDescriptor: fileDescriptor) }
    }

    /// The oldest signatures in rotation, from clamd's VERSION answers (refreshed by
    /// `checkServers()` and at most once a minute per server while scans succeed).
    public var databaseDescription: String {
        state.withLock { $0.oldestVersion }?.description ?? "clamd (version not yet known)"
    }

    /// The oldest signatures in rotation: the ones a message may be scanned with.
    public var oldestVersion: ClamdVersion? {
        state.withLock { $0.oldestVersion }
    }

    /// Each server's state now, in configuration order.
    public var serverStatus: [ClamdServerStatus] {
        state.withLock { pool in
            pool.servers.enumerated().map { index, server in
                ClamdServerStatus(endpoint: configuration.servers[index], isUp: server.isUp, isReloading: server.reloading,
                                  inFlight: server.inFlight, scans: server.scans, failures: server.failures,
                                  lastError: server.lastError, version: server.version, capacity: server.capacity)
            }
        }
    }

    /// The health check: PINGs every server (but one being reloaded) and asks each that answers
    /// for VERSION, so dead servers leave rotation before mail meets them and servers that
    /// answer again return. Returns the status afterwards.
    @discardableResult
    public func checkServers() -> [ClamdServerStatus] {
        for index in clients.indices where !state.withLock({ $0.servers[index].reloading }) {
            if probe(index) { refreshVersionIfStale(force: true, using: index) }
        }
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
                for index in due { _ = probe(index) }
            }
        } else {
            for index in due { _ = probe(index) }
        }
    }

    /// PINGs one server and records the outcome; returns whether it answered.
    func probe(_ index: Int) -> Bool {
        do {
            try clients[index].ping()
            let cameBack = state.withLock { $0.recover(index) }
            if cameBack {
                logger.notice("clamd server back in rotation", metadata: ["clamd.server": "\(configuration.servers[index])"])
            }
            return true
        } catch {
            let wasUp = state.withLock { $0.probeFailed(index, error: error.description) }
            if wasUp {
                logger.warning("clamd server marked down by the health check", metadata: [
                    "clamd.server": "\(configuration.servers[index])", "clamd.error": "\(error)",
                ])
            }
            return false
        }
    }

    /// Asks one server that just answered for VERSION, at most once a minute unless forced.
    private func refreshVersionIfStale(force: Bool, using index: Int) {
        let now = ContinuousClock.now
        let claimed = state.withLock { pool -> Bool in
            if !force, let fetched = pool.servers[index].versionFetched, fetched.duration(to: now) < Self.versionRefreshInterval {
                return false
            }
            pool.servers[index].versionFetched = now
            return true
        }
        guard claimed else { return }
        do {
            let version = try fetchVersion(index)
            state.withLock { $0.servers[index].version = version }
        } catch {
            logger.warning("clamd server gave no version", metadata: [
                "clamd.server": "\(configuration.servers[index])", "clamd.error": "\(error)",
            ])
        }
    }

    /// Sends VERSION to one server and reads the answer.
    func fetchVersion(_ index: Int) throws(ClamdError) -> ClamdVersion {
        let reply = try clients[index].version()
        guard let version = ClamdVersion(reply: reply) else {
            throw ClamdError(.protocolViolation, endpoint: configuration.servers[index].description,
                             message: "VERSION answered \"\(reply.prefix(200))\"")
        }
        return version
    }
}

/// One clamd server's state as the pool sees it.
public struct ClamdServerStatus: Sendable, Equatable {
    /// The server.
    public var endpoint: ClamdEndpoint
    /// Whether it answers (scans are sent to it unless it is reloading).
    public var isUp: Bool
    /// Out of rotation while a pool reload reloads its signatures.
    public var isReloading: Bool
    /// Scans running on it now.
    public var inFlight: Int
    /// Scans it has completed (any verdict).
    public var scans: Int
    /// Failures seen (connect, timeout, I/O, protocol).
    public var failures: Int
    /// The last failure, if any.
    public var lastError: String?
    /// Its last VERSION answer: engine, signature version and build time.
    public var version: ClamdVersion?
    /// The scans it runs at once (its clamd `MaxThreads`).
    public var capacity = ClamdEndpoint.defaultMaxThreads

    /// `up`, `down` or `reloading`, for status output and metrics.
    public var state: String {
        isReloading ? "reloading" : isUp ? "up" : "down"
    }
}
