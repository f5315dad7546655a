import Foundation

/// Runs work on real threads, all at once (DispatchQueue.concurrentPerform would run only as
/// many at a time as there are cores, which on a 2-core CI machine hides concurrency).
enum TestThreads {
    /// Runs `body(0..<count)` on `count` new threads and returns when all have finished.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                body(index)
                group.leave()
            }
        }
        group.wait()
    }
}
