import Glibc

/// Runs `body` on a new detached POSIX thread; returns false if the thread could not start.
///
/// Used by ``Libmilter/stop()``, which must not block its caller and cannot rely on Swift
/// concurrency (it may be called from a libmilter worker thread or a signal-waiting thread).
@discardableResult
func detachThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    final class Work: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let work = Unmanaged.passRetained(Work(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { argument in
        guard let argument else { return nil }
        Unmanaged<Work>.fromOpaque(argument).takeRetainedValue().body()
        return nil
    }, work)
    guard rc == 0 else {
        Unmanaged<Work>.fromOpaque(work).release()
        return false
    }
    pthread_detach(thread)
    return true
}
