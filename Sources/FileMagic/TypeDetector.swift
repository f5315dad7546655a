import Synchronization

/// Type detection safe to call from many threads: lends each call a libmagic handle from a pool.
///
/// Why a pool: `magic_t` is not thread-safe, and MagicBench (`scan-bench magic`, figures in the
/// README) compared three ways to share it on 2 cores:
/// - one handle behind a lock serialises detection: its best 2-thread run did 1,754
///   detections/s against the pool's 3,036, no better than one thread;
/// - a handle per thread did no better than the pool (within run-to-run noise, and the same
///   ~1,630 detections per CPU-second), but needs thread-local storage and a destructor for
///   each thread that ends; the pool needs neither;
/// - the pool's own cost is a lock, a pop and a push: about 0.1 µs against 600 µs for a typical
///   detection. Opening a handle costs 0.05 ms (the database is memory-mapped), so handles are
///   created on demand: the pool grows to the peak number of concurrent callers and stays there.
public final class TypeDetector: Sendable {
    /// How handles are opened.
    public struct Configuration: Sendable, Hashable {
        /// The prefix read by default. ISO 9660 volume descriptors sit at 32 KiB, and libmagic
        /// names an Office file by following the zip headers to the entry after
        /// `[Content_Types].xml`, which a large first entry pushes past 64 KiB; 256 KiB covers
        /// both. Text classification costs about the same at 64 KiB and 256 KiB (MagicBench:
        /// 1.5 vs 1.6 ms on 1 MiB of text), 20% more at 1 MiB.
        public static let defaultPrefixLength = 256 * 1024

        /// The compiled magic database; nil means the system one (Debian's libmagic-mgc).
        public var databasePath: String?
        /// At most this many leading bytes of a buffer are examined.
        public var prefixLength: Int
        /// When `detect` also returns libmagic's description (a second libmagic pass).
        public var description: DescriptionPass
        /// Idle handles kept for reuse; handles returned beyond this are closed.
        public var maximumIdleHandles: Int

        /// Settings with the defaults above; the system database unless `databasePath` is set.
        public init(
            databasePath: String? = nil,
            prefixLength: Int = Configuration.defaultPrefixLength,
            description: DescriptionPass = .exceptText,
            maximumIdleHandles: Int = 64
        ) {
            self.databasePath = databasePath
            self.prefixLength = prefixLength
            self.description = description
            self.maximumIdleHandles = maximumIdleHandles
        }
    }

    /// A handle travelling between threads through the pool.
    ///
    /// `@unchecked Sendable` because the pool hands each handle to one caller at a time: it is
    /// removed from `idle` under the lock before use and put back only after use.
    private struct Lent: @unchecked Sendable {
        let handle: MagicHandle
    }

    /// The settings this detector opens handles with.
    public let configuration: Configuration
    private let idle: Mutex<[Lent]>

    /// Opens the first handle now and runs it once on text and on binary bytes, so that a
    /// missing or broken magic database is reported at startup rather than on the first message,
    /// and the database's pages (13–15 MB, mapped) are read in before mail waits on them.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        let first = try MagicHandle(databasePath: configuration.databasePath, prefixLength: configuration.prefixLength)
        _ = try first.detect(Array("Subject: warm-up\r\n\r\nHello.\r\n".utf8)[...], description: .always)
        _ = try first.detect((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 131) }[...], description: .always)
        idle = Mutex([Lent(handle: first)])
    }

    /// Detects the type of `bytes` from its first `configuration.prefixLength` bytes.
    public func detect(_ bytes: ArraySlice<UInt8>) throws -> DetectedType {
        try withHandle { try $0.detect(bytes, description: configuration.description) }
    }

    /// Detects the type of `bytes`.
    public func detect(_ bytes: [UInt8]) throws -> DetectedType {
        try detect(bytes[...])
    }

    /// The number of handles idle in the pool now (for tests and diagnostics).
    public var idleHandleCount: Int {
        idle.withLock { $0.count }
    }

    /// Runs `body` with a handle that no other thread uses meanwhile.
    private func withHandle<Result>(_ body: (MagicHandle) throws -> Result) throws -> Result {
        let lent = try idle.withLock { $0.popLast() } ?? Lent(handle: MagicHandle(
            databasePath: configuration.databasePath, prefixLength: configuration.prefixLength))
        defer {
            idle.withLock { handles in
                if handles.count < configuration.maximumIdleHandles { handles.append(lent) }
            }
        }
        return try body(lent.handle)
    }
}
