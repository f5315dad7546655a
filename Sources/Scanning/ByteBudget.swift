import Foundation

/// Admits work by its size: any number of holders whose sizes add up to at most `budget` at
/// once, and always one holder, however large (so nothing waits for ever on its own size).
///
/// Used to bound how many large messages go through libclamav's mail parser at the same time:
/// that parser keeps the whole message as small heap blocks (about 1.5 times its size), so its
/// memory, not the scan slots, is what grows with message size.
public final class ByteBudget: @unchecked Sendable {
    // @unchecked: `admitted` and `holders` are touched only with `condition` locked.
    private let condition = NSCondition()
    private var admitted = 0
    private var holders = 0
    /// Bytes admitted at once (unless a single holder is larger).
    public let budget: Int

    public init(budget: Int) {
        self.budget = max(0, budget)
    }

    /// Runs `body` once `bytes` fit beside what is admitted already, or nothing else is;
    /// `beforeWaiting` runs first (once, without the lock) when it has to wait.
    public func withAdmission<Result>(
        of bytes: Int, beforeWaiting: () -> Void = {}, _ body: () throws -> Result
    ) rethrows -> Result {
        let size = max(0, bytes)
        condition.lock()
        if holders > 0 && admitted + size > budget {
            condition.unlock()
            beforeWaiting()
            condition.lock()
        }
        while holders > 0 && admitted + size > budget {
            condition.wait()
        }
        admitted += size
        holders += 1
        condition.unlock()
        defer {
            condition.lock()
            admitted -= size
            holders -= 1
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    /// Bytes admitted right now (for tests and metrics).
    var admittedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return admitted
    }
}
