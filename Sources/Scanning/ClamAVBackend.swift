public import ClamAV
import Foundation
public import Logging
public import MIME
import Synchronization

/// The embedded libclamav engine as a ``ScanBackend``, with hot reload.
///
/// Every scan takes a reference to the engine current when it starts and scans on it to the end,
/// so a reload never disturbs a scan in flight. A concurrent reload builds the new engine beside
/// the running one and swaps it in whole; the old engine is freed, off the scanning threads, once
/// its last scan has finished. A database that fails to load leaves the running engine in place.
/// An in-place reload (``ClamAVBackendSettings/ReloadMode/inPlace(maxWait:)``) frees the running
/// engine first to save memory; if the new set then fails, it loads the previous set again from
/// the files it kept open (`PinnedDatabaseSet`). A concurrent reload whose second engine would
/// not fit in the memory left (``MemoryReadings``) reloads in place instead.
public final class ClamAVBackend: ScanBackend {
    /// Everything scans and reloads share, behind one lock.
    struct State {
        var engine: Engine?
        var settings: ClamAVBackendSettings
        /// Why there is no engine (only after a failed in-place reload).
        var unavailableReason: String?
        /// Scans holding an engine right now.
        var activeScans = 0
        /// While an in-place reload runs: how long an arriving scan may wait for it.
        var inPlaceWait: Duration?
        /// Old engines still waiting for their last scan.
        var retiring = 0
        /// The files the running engine was loaded from, held open for a failed in-place reload.
        var pinned: PinnedDatabaseSet?
        /// How much the resident set grew while the running engine loaded: about its size.
        var loadGrowth: Int?
    }

    let state: Mutex<State>
    /// Serialises reloads; held for a whole load, which only other reloads wait for.
    let reloadLock = Mutex<Void>(())
    let logger: Logger
    /// What the machine and cgroup allow, read before a concurrent reload.
    let readMemory: @Sendable () -> MemoryReadings
    /// Bounds the bytes of whole messages under libclamav's mail parser at once.
    private let mailDecoding: ByteBudget

    /// Loads the database in `settings` and starts serving scans; throws if it does not load.
    /// libclamav's own warnings go to `logger` from then on (process-wide: the last backend wins).
    /// `readMemory` tells a concurrent reload how much memory it may use (tests give their own).
    public init(
        settings: ClamAVBackendSettings, logger: Logger,
        readMemory: @escaping @Sendable () -> MemoryReadings = MemoryReadings.current
    ) throws(ClamAVError) {
        self.logger = logger
        self.readMemory = readMemory
        mailDecoding = ByteBudget(budget: settings.mailDecodingBudget)
        ClamAVLibrary.routeMessages(to: logger)
        let loaded = try Self.load(settings, logger: logger)
        state = Mutex(State(engine: loaded.engine, settings: settings, pinned: loaded.pinned, loadGrowth: loaded.growth))
        log(loaded: loaded.engine, message: "clamav engine loaded")
    }

    /// The signature set in use, for headers and logs.
    public var databaseDescription: String {
        state.withLock { $0.engine?.database.description ?? "no signature database loaded" }
    }

    /// What the running engine loaded, or nil when none is loaded.
    public var database: DatabaseInfo? {
        state.withLock { $0.engine?.database }
    }

    /// The settings the running engine was built with.
    public var settings: ClamAVBackendSettings {
        state.withLock { $0.settings }
    }

    /// Old engines not yet freed because a scan still uses them (or their free is under way).
    public var retiringEngines: Int {
        state.withLock { $0.retiring }
    }

    /// Scans bytes in memory with every parser, mail included.
    public func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        withEngine { ScanVerdict($0.scan(bytes)) }
    }

    /// Scans an open file from its start; the caller keeps the descriptor.
    public func scan(fileDescriptor: Int32) -> ScanVerdict {
        withEngine { ScanVerdict($0.scan(fileDescriptor: fileDescriptor)) }
    }

    /// Scans a raw message's bytes with libclamav's mail parser off (archives etc. still parsed).
    public func scanRawMessage(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        withEngine { ScanVerdict($0.scan(bytes, parsing: .withoutMail)) }
    }

    /// Scans the message in place (a large message is a mapped temp file): no copy of it is made.
    /// With mail decoding, large messages take turns (``ClamAVBackendSettings/mailDecodingBudget``).
    public func scan(message: MessageBytes, decodingMail: Bool) -> ScanVerdict {
        let scan = {
            self.withEngine { engine in
                message.withUnsafeBytes { ScanVerdict(engine.scan($0, parsing: decodingMail ? .all : .withoutMail)) }
            }
        }
        guard decodingMail else { return scan() }
        // A message that must wait its turn need not stay resident meanwhile (the parse and type
        // passes touched all of it); its pages stay in the page cache.
        return mailDecoding.withAdmission(of: message.count, beforeWaiting: message.dropResidentPages) {
            // The parser's blocks are freed by now but stay resident in this thread's malloc arena;
            // give them back before the next message is admitted, or the budget bounds nothing.
            defer { if message.count >= Self.trimAfterBytes { ClamAVLibrary.returnFreeMemory() } }
            return scan()
        }
    }

    /// Messages at least this large return the C heap's free pages after their mail decoding.
    static let trimAfterBytes = 1 << 20

    /// Runs `body` on the current engine, holding it for the whole scan.
    private func withEngine(_ body: (Engine) -> ScanVerdict) -> ScanVerdict {
        switch acquire() {
        case .engine(let engine):
            defer { state.withLock { $0.activeScans -= 1 } }
            return body(engine)
        case .unavailable(let reason):
            return .unscannable(reason)
        }
    }

    /// What a scan got when it asked for the engine.
    private enum Acquisition {
        case engine(Engine)
        case unavailable(UnscannableReason)
    }

    /// Takes the current engine; waits, bounded, while an in-place reload runs.
    private func acquire() -> Acquisition {
        let clock = ContinuousClock()
        var deadline: ContinuousClock.Instant?
        while true {
            let wait: Duration? = state.withLock { $0.inPlaceWait }
            if let wait {
                let limit = deadline ?? clock.now + wait
                deadline = limit
                if clock.now >= limit {
                    return .unavailable(UnscannableReason(.backendUnavailable, "signature database reload in progress"))
                }
                // Polling keeps the lock simple; in-place reloads are rare and take seconds.
                Thread.sleep(forTimeInterval: 0.002)
                continue
            }
            let taken: Acquisition? = state.withLock { state in
                guard state.inPlaceWait == nil else { return nil }
                guard let engine = state.engine else {
                    return .unavailable(UnscannableReason(.backendUnavailable, state.unavailableReason ?? "no signature database loaded"))
                }
                state.activeScans += 1
                return .engine(engine)
            }
            if let taken { return taken }
        }
    }
}

extension Duration {
    /// Whole milliseconds, for log metadata and benchmarks.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
