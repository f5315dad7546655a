import Foundation
@testable import Scanning
import Synchronization
import Testing

/// The byte budget that makes large messages take turns in libclamav's mail parser.
@Suite struct ByteBudgetTests {
    /// Runs `sizes.count` holders at once and returns the most that were inside together. Each
    /// stays inside until all are in, or for `linger` when that does not happen (threads on a
    /// busy machine may start late, so waiting for the others beats a fixed sleep).
    func mostInsideAtOnce(budget: Int, sizes: [Int], linger: Duration = .milliseconds(100)) -> Int {
        let gate = ByteBudget(budget: budget)
        let inside = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        let arrived = Atomic<Int>(0)
        TestThreads.run(sizes.count) { index in
            gate.withAdmission(of: sizes[index]) {
                let now = inside.add(1, ordering: .relaxed).newValue
                _ = most.max(now, ordering: .relaxed)
                arrived.add(1, ordering: .relaxed)
                let deadline = ContinuousClock.now + linger
                while arrived.load(ordering: .relaxed) < sizes.count && ContinuousClock.now < deadline {
                    usleep(1_000)
                }
                inside.subtract(1, ordering: .relaxed)
            }
        }
        #expect(gate.admittedBytes == 0)
        return most.load(ordering: .relaxed)
    }

    @Test func holdersThatFitTheBudgetTogetherRunSideBySide() {
        #expect(mostInsideAtOnce(budget: 100, sizes: [40, 40], linger: .seconds(10)) == 2)
    }

    @Test func holdersThatDoNotFitTogetherTakeTurns() {
        #expect(mostInsideAtOnce(budget: 100, sizes: [60, 60, 60]) == 1)
    }

    @Test func onlyAHolderThatMustWaitIsToldBeforeItWaits() {
        let gate = ByteBudget(budget: 10)
        let told = Atomic<Int>(0)
        gate.withAdmission(of: 10, beforeWaiting: { told.add(1, ordering: .relaxed) }) {}
        #expect(told.load(ordering: .relaxed) == 0)
        let first = Atomic<Bool>(false)
        TestThreads.run(2) { index in
            if index == 0 {
                gate.withAdmission(of: 10) {
                    first.store(true, ordering: .relaxed)
                    // Hold the budget until the other holder has been told it must wait.
                    let deadline = ContinuousClock.now + .seconds(10)
                    while told.load(ordering: .relaxed) == 0 && ContinuousClock.now < deadline { usleep(1_000) }
                }
            } else {
                while !first.load(ordering: .relaxed) { usleep(1_000) }
                gate.withAdmission(of: 1, beforeWaiting: { told.add(1, ordering: .relaxed) }) {}
            }
        }
        #expect(told.load(ordering: .relaxed) == 1)
    }

    @Test func aHolderLargerThanTheWholeBudgetIsStillAdmittedAlone() {
        let gate = ByteBudget(budget: 10)
        #expect(gate.withAdmission(of: 1_000) { 42 } == 42)
        #expect(mostInsideAtOnce(budget: 10, sizes: [1_000, 1_000]) == 1)
    }
}
