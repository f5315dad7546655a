import Glibc
import Milter

/// A thread that waits for one signal and then calls `Libmilter.stop()`.
///
/// The signal must already be blocked in every thread (main.swift does it first thing), so
/// `sigwait` here is the only taker. Calling smfi_stop from a normal thread, rather than a
/// signal handler, keeps us within what is safe to call.
enum StopSignalThread {
    static func start(signal: Int32) {
        let box = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        box.initialize(to: signal)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let number = argument.assumingMemoryBound(to: Int32.self)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, number.pointee)
            number.deallocate()
            var received: Int32 = 0
            while sigwait(&set, &received) != 0 {}
            Libmilter.stop()
            return nil
        }, box)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            box.deallocate()
        }
    }
}
