internal import CClamAV
public import Logging

/// libclamav's process-wide state: `cl_init` runs exactly once, on first use.
public enum ClamAVLibrary {
    /// The outcome of the one `cl_init`; thread-safe lazy initialisation of a static.
    private static let initialization: Result<Void, ClamAVError> = {
        LibraryMessages.install()
        do throws(ClamAVError) {
            try check("cl_init") { cl_init(UInt32(CL_INIT_DEFAULT)) }
            return .success(())
        } catch {
            return .failure(error)
        }
    }()

    /// Initialises libclamav if that has not happened yet; throws if it failed.
    public static func initialize() throws(ClamAVError) {
        try initialization.get()
    }

    /// The libclamav version, e.g. "1.4.6".
    public static var version: String { String(cString: cl_retver()) }

    /// Sends libclamav's own warnings and errors (logged during scans, from any thread) to
    /// `logger`; without it they are dropped rather than printed to stderr.
    public static func routeMessages(to logger: Logger?) {
        LibraryMessages.logger.withLock { $0 = logger }
    }

    /// The functionality level of the library; databases may require a minimum level.
    public static var functionalityLevel: Int { Int(cl_retflevel()) }

    /// Gives the C heap's free pages back to the kernel (`malloc_trim`); call after scanning
    /// something large.
    ///
    /// Why: libclamav's mail parser makes about 1.8 million small allocations for one message
    /// with a 20 MB attachment. glibc keeps what is freed in the arena of the thread that freed
    /// it (libmilter runs callbacks on many threads, each bound to one of up to 8 × cores arenas)
    /// and returns memory only from an arena's top, so 100 such messages left RSS hundreds of
    /// megabytes above the memory in use (README, Performance: Memory). `malloc_trim` releases
    /// every whole free page of every arena.
    public static func returnFreeMemory() {
        _ = malloc_trim(0)
    }

    /// Bounds glibc's malloc arenas to `count` (`mallopt(M_ARENA_MAX)`); call before any thread
    /// starts. Returns false when glibc refused.
    ///
    /// Why: glibc gives threads up to 8 × cores arenas, and each keeps what its threads freed.
    /// libmilter's thread per connection spreads libclamav's and the decoders' large, short-lived
    /// buffers over all of them, so 100 connections with a 20 MB message each peaked at 266–277 MB
    /// above idle with the default, 199 MB with four arenas on two cores and 159 MB with two;
    /// two cost about a tenth of the messages per second on the mixed corpus, four nothing
    /// measurable (README, Performance: Memory).
    @discardableResult
    public static func limitHeapArenas(to count: Int) -> Bool {
        mallopt(M_ARENA_MAX, Int32(clamping: max(1, count))) == 1
    }
}
