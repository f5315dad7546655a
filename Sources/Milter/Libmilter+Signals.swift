import Glibc

extension Libmilter {
    /// The signals libmilter's signal thread waits for: SIGHUP and SIGTERM stop the filter
    /// gracefully, SIGINT aborts it.
    public static let stopSignals: [Int32] = [SIGHUP, SIGTERM, SIGINT]

    /// Blocks the stop signals (and `extra`) on the calling thread; threads it starts inherit
    /// the mask.
    ///
    /// Why: libmilter waits for these signals with `sigwait` in its own thread, which only works
    /// if no other thread can take them; a thread with them unblocked would let SIGTERM kill
    /// the process (the default action) instead of stopping it cleanly. libmilter blocks them
    /// itself, but only on the thread calling `smfi_main`, when its own threads start. So call
    /// this first thing in `main`, before the program starts any thread.
    public static func blockStopSignals(also extra: [Int32] = []) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in stopSignals + extra { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
