/// The clamd pool's bookkeeping, kept in one value behind the backend's Mutex.
struct ClamdPoolState: Sendable {
    struct Server: Sendable {
        var isUp = true
        var inFlight = 0
        var scans = 0
        var failures = 0
        var lastError: String?
        /// A PING is under way; no second prober starts.
        var probing = false
        /// The earliest time the next PING may be sent while down.
        var nextProbe: ContinuousClock.Instant = .now
        /// The server's last VERSION answer, and when it was asked.
        var version: ClamdVersion?
        var versionFetched: ContinuousClock.Instant?
        /// Taken out of rotation while it reloads its signatures; no scan is sent to it.
        var reloading = false
        /// Scans it runs at once (clamd's MaxThreads); more are queued by clamd itself.
        var capacity = ClamdEndpoint.defaultMaxThreads

        /// Whether a new scan may be sent to it.
        var inRotation: Bool { isUp && !reloading }
    }

    var servers: [Server]
    /// Where the next tie-break starts, so equal servers are used in turn.
    var cursor = 0
    /// A pool reload is under way; a second one waits its turn.
    var poolReloading = false

    /// The oldest signatures among the servers in rotation (the ones mail may meet), or any
    /// server's when none in rotation has answered VERSION yet.
    var oldestVersion: ClamdVersion? {
        let known = servers.filter(\.inRotation).compactMap(\.version)
        let candidates = known.isEmpty ? servers.compactMap(\.version) : known
        return candidates.min { ($0.signatureVersion ?? -1) < ($1.signatureVersion ?? -1) }
    }

    init(serverCount: Int) {
        servers = Array(repeating: Server(), count: serverCount)
    }

    /// One server per entry of `capacities`, each taking that many scans at once.
    init(capacities: [Int]) {
        servers = capacities.map { Server(capacity: max(1, $0)) }
    }

    /// Scans the servers in rotation can run at once: the sum of their capacities (0 when every
    /// server is down or reloading). Messages under scan are bounded by it.
    var capacity: Int {
        servers.filter(\.inRotation).reduce(0) { $0 + $1.capacity }
    }

    /// Picks the up server with the fewest scans in flight (not in `excluded`) and counts the scan on it.
    mutating func acquire(excluding excluded: Set<Int>) -> Int? {
        var best: Int?
        for step in servers.indices {
            let index = (cursor + step) % servers.count
            guard servers[index].inRotation, !excluded.contains(index) else { continue }
            if best.map({ servers[index].inFlight < servers[$0].inFlight }) ?? true { best = index }
        }
        guard let chosen = best else { return nil }
        cursor = (chosen + 1) % servers.count
        servers[chosen].inFlight += 1
        return chosen
    }

    /// A scan on `index` ended with an answer from clamd.
    mutating func finish(_ index: Int) {
        servers[index].inFlight -= 1
        servers[index].scans += 1
    }

    /// A scan on `index` ended before reaching clamd, for a reason of our own.
    mutating func release(_ index: Int) {
        servers[index].inFlight -= 1
    }

    /// A scan on `index` failed: the server goes down until a PING answers. Returns whether it was up.
    mutating func fail(_ index: Int, error: String, nextProbe: ContinuousClock.Instant) -> Bool {
        servers[index].inFlight -= 1
        return markDown(index, error: error, nextProbe: nextProbe)
    }

    /// `index` failed outside a scan: down until a PING answers. Returns whether it was up.
    mutating func markDown(_ index: Int, error: String, nextProbe: ContinuousClock.Instant) -> Bool {
        let wasUp = servers[index].isUp
        servers[index].failures += 1
        servers[index].lastError = error
        if wasUp { servers[index].nextProbe = nextProbe }
        servers[index].isUp = false
        return wasUp
    }

    /// Claims the down servers due for a PING; also says whether any server is up.
    mutating func claimDueProbes(now: ContinuousClock.Instant, nextProbe: ContinuousClock.Instant) -> (due: [Int], anyUp: Bool) {
        var due: [Int] = []
        for index in servers.indices where !servers[index].isUp && !servers[index].probing && servers[index].nextProbe <= now {
            servers[index].probing = true
            servers[index].nextProbe = nextProbe
            due.append(index)
        }
        return (due, servers.contains(where: \.inRotation))
    }

    /// A PING answered: back in rotation. Returns whether it had been down.
    mutating func recover(_ index: Int) -> Bool {
        let wasDown = !servers[index].isUp
        servers[index].isUp = true
        servers[index].probing = false
        return wasDown
    }

    /// A PING failed: stays (or goes) down until its next probe time. Returns whether it was up.
    mutating func probeFailed(_ index: Int, error: String) -> Bool {
        let wasUp = servers[index].isUp
        defer { if wasUp { servers[index].failures += 1 } }
        servers[index].probing = false
        servers[index].isUp = false
        servers[index].lastError = error
        return wasUp
    }
}
