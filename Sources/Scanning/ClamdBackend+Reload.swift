import Foundation

/// One server's part in a pool reload.
public struct ClamdReloadOutcome: Sendable, CustomStringConvertible {
    /// The server.
    public var endpoint: ClamdEndpoint
    /// Its VERSION answer before RELOAD.
    public var before: ClamdVersion?
    /// Its VERSION answer when it was taken back into rotation.
    public var after: ClamdVersion?
    /// Why it was not reloaded, or did not come back; nil when all went well.
    public var error: String?

    /// `unix:/run/clamd.sock: daily 27480 -> 27481`, or what went wrong.
    public var description: String {
        let name = { (version: ClamdVersion?) in version.map { $0.signatureVersion.map(String.init) ?? $0.engine } ?? "?" }
        if let error { return "\(endpoint): \(error)" }
        return "\(endpoint): \(name(before)) -> \(name(after))"
    }
}

/// A pool reload could not start.
public struct ClamdReloadError: Error, Sendable, CustomStringConvertible {
    /// Why.
    public var message: String
    public var description: String { "clamd pool reload: \(message)" }

    /// An error saying `message`.
    public init(message: String) {
        self.message = message
    }
}

extension ClamdBackend {
    /// Reloads the servers' signatures one at a time, so the pool never loses more than one
    /// server's capacity and never holds two databases in every server's memory at once: each
    /// server (of `only`, or all) leaves rotation, finishes the scans it has, gets RELOAD, and
    /// returns to rotation once it answers VERSION with newer signatures, or, when none appear
    /// within `reloadSettle`, once it answers at all. A server that is the only one in rotation
    /// keeps taking scans while it reloads (clamd scans with the old database meanwhile) rather
    /// than leaving none; a server that is down is skipped (the health check readmits it, and a
    /// later reload catches it up). Throws when another pool reload is under way.
    public func reloadPool(only: Set<Int>? = nil) throws(ClamdReloadError) -> [ClamdReloadOutcome] {
        let started = state.withLock { pool in
            defer { pool.poolReloading = true }
            return !pool.poolReloading
        }
        guard started else { throw ClamdReloadError(message: "another pool reload is under way") }
        defer { state.withLock { $0.poolReloading = false } }
        // The newest signatures any server has: a server behind them must reach them.
        var target = state.withLock { $0.servers.compactMap(\.version?.signatureVersion).max() }
        var outcomes: [ClamdReloadOutcome] = []
        for index in clients.indices where only?.contains(index) ?? true {
            let outcome = reloadOne(index, target: target)
            if let reached = outcome.after?.signatureVersion { target = max(target ?? reached, reached) }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// The signature versions the servers in rotation run, and those of them behind the newest
    /// (a server that missed a reload); empty when all agree.
    public func serversBehind() -> (versions: Set<Int>, behind: Set<Int>) {
        state.withLock { pool in
            let running = pool.servers.indices.filter { pool.servers[$0].inRotation }
            let versions = Set(running.compactMap { pool.servers[$0].version?.signatureVersion })
            guard let newest = versions.max(), versions.count > 1 else { return (versions, []) }
            return (versions, Set(running.filter { (pool.servers[$0].version?.signatureVersion ?? newest) < newest }))
        }
    }

    private func reloadOne(_ index: Int, target: Int?) -> ClamdReloadOutcome {
        let endpoint = configuration.servers[index]
        var outcome = ClamdReloadOutcome(endpoint: endpoint)
        let (isUp, alone) = state.withLock { pool in
            let others = pool.servers.indices.contains { $0 != index && pool.servers[$0].inRotation }
            if pool.servers[index].isUp && others { pool.servers[index].reloading = true }
            return (pool.servers[index].isUp, !others)
        }
        defer { state.withLock { $0.servers[index].reloading = false } }
        guard isUp else {
            outcome.error = "down; not reloaded"
            return outcome
        }
        logger.notice("clamd server reloading", metadata: ["clamd.server": "\(endpoint)", "clamd.in_rotation": "\(alone)"])
        if !alone { waitUntilIdle(index) }
        do {
            let before = try fetchVersion(index)
            outcome.before = before
            try clients[index].reload()
            outcome.after = try awaitReload(index, before: before, target: target)
            state.withLock { $0.servers[index].version = outcome.after }
            logger.notice("clamd server reloaded", metadata: ["clamd.server": "\(endpoint)", "clamd.version": "\(outcome.description)"])
        } catch {
            outcome.error = "\(error)"
            // Left out of rotation until the health check finds it answering again.
            _ = state.withLock { $0.markDown(index, error: error.description, nextProbe: .now + configuration.retryInterval) }
            logger.error("clamd server failed to reload; out of rotation until it answers", metadata: [
                "clamd.server": "\(endpoint)", "clamd.error": "\(error)",
            ])
        }
        return outcome
    }

    /// Waits (at most the read timeout) until the scans already sent to a server have ended.
    private func waitUntilIdle(_ index: Int) {
        let deadline = ContinuousClock.now + configuration.readTimeout
        while state.withLock({ $0.servers[index].inFlight }) > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Polls VERSION until the server shows signatures newer than `before` (at least `target`
    /// when another server has those), or, after `reloadSettle` with nothing newer (after
    /// `reloadTimeout` when it is behind `target`), until it answers at all. While clamd
    /// reloads without ConcurrentDatabaseReload it answers nothing; past `reloadTimeout`
    /// without an answer the reload has failed.
    private func awaitReload(_ index: Int, before: ClamdVersion, target: Int?) throws(ClamdError) -> ClamdVersion {
        let started = ContinuousClock.now
        let behind = target.map { $0 > (before.signatureVersion ?? -1) } ?? false
        let patience = behind ? configuration.reloadTimeout : configuration.reloadSettle
        while true {
            Thread.sleep(forTimeInterval: 0.05)
            let waited = ContinuousClock.now - started
            do {
                let now = try fetchVersion(index)
                let newer = now != before && (now.signatureVersion ?? -1) >= (behind ? target ?? 0 : -1)
                if newer || waited >= patience { return now }
            } catch {
                if waited >= configuration.reloadTimeout { throw error }
            }
        }
    }
}
