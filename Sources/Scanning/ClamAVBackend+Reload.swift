public import ClamAV
import Foundation
import Logging

extension ClamAVBackend {
    /// Loads the database again (with `settings` if given, else the current ones) and replaces
    /// the running engine. On failure the error says why and the previous signatures keep
    /// serving: a concurrent reload never gave them up; an in-place one loads the previous set
    /// again from the files it held open (scans wait meanwhile, up to the in-place wait). A
    /// concurrent reload whose second engine would not fit in the memory the machine or cgroup
    /// has left reloads in place instead, and logs why.
    @discardableResult
    public func reload(settings newSettings: ClamAVBackendSettings? = nil) throws(ClamAVError) -> DatabaseInfo {
        try reloadLock.withLock { _ throws(ClamAVError) -> DatabaseInfo in
            let settings = newSettings ?? state.withLock { $0.settings }
            let engine: Engine
            let mode: String
            switch settings.reloadMode {
            case .concurrent:
                if let shortage = memoryShortage() {
                    logger.warning(
                        "not enough memory for a second engine; reloading in place",
                        metadata: shortage.metadata.merging(
                            ["clamav.in_place_wait_ms": "\(ClamAVBackendSettings.defaultInPlaceWait.milliseconds)"]) { $1 })
                    engine = try reloadInPlace(settings, maxWait: ClamAVBackendSettings.defaultInPlaceWait)
                    mode = "in_place"
                } else {
                    engine = try reloadConcurrently(settings)
                    mode = "concurrent"
                }
            case .inPlace(let maxWait):
                engine = try reloadInPlace(settings, maxWait: maxWait)
                mode = "in_place"
            }
            log(loaded: engine, message: "clamav engine reloaded", mode: mode)
            return engine.database
        }
    }

    /// Builds the new engine beside the running one and swaps them.
    private func reloadConcurrently(_ settings: ClamAVBackendSettings) throws(ClamAVError) -> Engine {
        let loaded = try loadReportingFailure(settings)
        let old = state.withLock { state -> Engine? in
            let old = state.engine
            state.engine = loaded.engine
            state.settings = settings
            state.unavailableReason = nil
            state.pinned = loaded.pinned
            state.loadGrowth = loaded.growth
            return old
        }
        if let old { retire(old) }
        return loaded.engine
    }

    /// Frees the running engine once its scans are done, then loads; scans wait meanwhile. If
    /// the new set fails to load, the previous set is loaded again before scans resume.
    private func reloadInPlace(_ settings: ClamAVBackendSettings, maxWait: Duration) throws(ClamAVError) -> Engine {
        // Catch a missing, empty or unreadable directory before giving up the running engine.
        do {
            _ = try Engine.validateDatabase(directory: settings.databaseDirectory)
        } catch {
            logger.error("clamav database check failed; keeping the running engine", metadata: ["clamav.error": "\(error)"])
            throw error
        }
        // Scans wait for the load, which takes about as long as the running engine's did: a
        // large set (the official 8 M signatures load in over a minute) must not make every
        // message that arrives meanwhile give up after the configured wait.
        let wait = state.withLock { state -> Duration in
            let wait = settings.inPlaceWaitFollowsLoadTime
                ? Self.inPlaceWait(configured: maxWait, lastLoad: state.engine?.loadDuration) : maxWait
            state.inPlaceWait = wait
            return wait
        }
        if wait > maxWait {
            logger.notice("in-place reload: scans wait as long as the last load took", metadata: [
                "clamav.in_place_wait_ms": "\(wait.milliseconds)", "clamav.configured_wait_ms": "\(maxWait.milliseconds)",
            ])
        }
        defer { state.withLock { $0.inPlaceWait = nil } }
        while state.withLock({ $0.activeScans }) > 0 {
            Thread.sleep(forTimeInterval: 0.002)
        }
        // No scan holds the engine and none can take it: dropping it here frees it now.
        state.withLock { $0.engine = nil }
        let loaded: Loaded
        do {
            loaded = try loadReportingFailure(settings)
        } catch {
            restorePreviousSet(after: error)
            throw error
        }
        state.withLock { state in
            state.engine = loaded.engine
            state.settings = settings
            state.unavailableReason = nil
            state.pinned = loaded.pinned
            state.loadGrowth = loaded.growth
        }
        return loaded.engine
    }

    /// How long scans wait for an in-place reload: the configured wait, or twice the last load's
    /// time when that is longer, but at most ``maximumInPlaceWait``.
    static func inPlaceWait(configured: Duration, lastLoad: Duration?) -> Duration {
        guard let lastLoad else { return configured }
        return max(configured, min(lastLoad * 2, maximumInPlaceWait))
    }

    /// The longest in-place wait: a message must still be answered before Postfix's
    /// `milter_content_timeout` (300 s) and the daemon's own scan-slot wait (240 s) give up.
    static let maximumInPlaceWait: Duration = .seconds(200)

    /// After a failed in-place load: loads the set the previous engine was built from again,
    /// from the files held open since, with the previous settings. Only if that fails too are
    /// scans left without an engine (they report the backend unavailable, a temporary failure).
    private func restorePreviousSet(after failure: ClamAVError) {
        let (pinned, previous) = state.withLock { ($0.pinned, $0.settings) }
        let problem: String
        if let pinned {
            let parent = previous.engineOptions.temporaryDirectory ?? NSTemporaryDirectory()
            do {
                let links = try pinned.linkDirectory(under: parent)
                defer { try? FileManager.default.removeItem(atPath: links) }
                let engine = try Engine(databaseDirectory: links, options: previous.engineOptions)
                // The pins and the size estimate stay those of this same set.
                state.withLock { state in
                    state.engine = engine
                    state.unavailableReason = nil
                }
                logger.error(
                    "clamav reload failed; the previous signatures were loaded again and keep serving",
                    metadata: [
                        "clamav.error": "\(failure)",
                        "clamav.database_dir": "\(previous.databaseDirectory)",
                        "clamav.database": "\(engine.database)",
                        "clamav.signatures": "\(engine.database.signatureCount)",
                        "clamav.load_ms": "\(engine.loadDuration.milliseconds)",
                    ])
                return
            } catch {
                problem = "\(error)"
            }
        } else {
            problem = "the previous set's files were not kept"
        }
        logger.critical(
            "clamav reload failed and the previous signatures could not be loaded again; no engine until a reload succeeds",
            metadata: ["clamav.error": "\(failure)", "clamav.restore_error": "\(problem)"])
        state.withLock { $0.unavailableReason = "signature database reload failed: \(failure)" }
    }

    /// An engine with the files it was loaded from and the resident-set growth its load caused.
    struct Loaded {
        let engine: Engine
        let pinned: PinnedDatabaseSet?
        let growth: Int?
    }

    /// Builds an engine, logging a failure with its reason.
    private func loadReportingFailure(_ settings: ClamAVBackendSettings) throws(ClamAVError) -> Loaded {
        do {
            return try Self.load(settings, logger: logger)
        } catch {
            logger.error(
                "clamav database failed to load",
                metadata: ["clamav.database_dir": "\(settings.databaseDirectory)", "clamav.error": "\(error)"])
            throw error
        }
    }

    /// Opens the set's files (so a later failed in-place reload can load them again), then
    /// builds the engine, measuring how much the resident set grew meanwhile.
    static func load(_ settings: ClamAVBackendSettings, logger: Logger) throws(ClamAVError) -> Loaded {
        let pinned = Result { () throws(PinError) in try PinnedDatabaseSet(directory: settings.databaseDirectory) }
        let before = MemoryReadings.residentBytes()
        let engine = try Engine(databaseDirectory: settings.databaseDirectory, options: settings.engineOptions)
        let growth = MemoryReadings.residentBytes().flatMap { after in before.map { after - $0 } }
        if case .failure(let error) = pinned {
            // Said only once the set loaded: otherwise the load's own error says what is wrong.
            logger.warning(
                "cannot hold the signature files open; a failed in-place reload would leave no engine",
                metadata: ["clamav.error": "\(error)"])
        }
        return Loaded(engine: engine, pinned: try? pinned.get(), growth: growth)
    }

    /// Frees `engine` on a thread of its own once no scan holds it, so that no scan pays for
    /// freeing an engine (hundreds of milliseconds for a full database).
    private func retire(_ engine: Engine) {
        state.withLock { $0.retiring += 1 }
        let holder = RetiringEngine(engine)
        let thread = Thread { [self] in
            holder.releaseWhenUnused()
            state.withLock { $0.retiring -= 1 }
            logger.debug("clamav old engine freed")
        }
        thread.name = "clamav-retire"
        thread.start()
    }

    func log(loaded engine: Engine, message: Logger.Message, mode: String? = nil) {
        var metadata: Logger.Metadata = [
            "clamav.database": "\(engine.database)",
            "clamav.database_dir": "\(engine.database.directory)",
            "clamav.signatures": "\(engine.database.signatureCount)",
            "clamav.load_ms": "\(engine.loadDuration.milliseconds)",
        ]
        if let mode { metadata["clamav.reload_mode"] = "\(mode)" }
        logger.info(message, metadata: metadata)
    }
}

/// Holds an engine that is no longer current until the last scan using it lets go.
private final class RetiringEngine: @unchecked Sendable {
    // @unchecked: handed to one retiring thread, which alone touches `engine` afterwards.
    private var engine: Engine?

    init(_ engine: Engine) { self.engine = engine }

    /// Waits until this is the engine's only reference, then drops it (freeing the C engine).
    func releaseWhenUnused() {
        // Once the engine left the shared state no new reference can appear, so "unique" stays true.
        while !isKnownUniquelyReferenced(&engine) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        engine = nil
    }
}
