import Foundation
import Synchronization

/// Refuses sign-ins from an address after too many failures in a window. Failures by user
/// name are also counted from the audit log (see `Console.signIn`), which every console
/// behind a load balancer shares; this per-address count is per process and only slows a
/// guesser further.
final class SignInLimiter: Sendable {
    let maxFailures: Int
    let window: Double
    private let failures = Mutex([String: [Double]]())

    init(maxFailures: Int = 5, window: Double = 300) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Whether `address` may try now.
    func allows(_ address: String, now: Double = Date().timeIntervalSince1970) -> Bool {
        failures.withLock { table in
            let recent = (table[address] ?? []).filter { now - $0 < window }
            table[address] = recent.isEmpty ? nil : recent
            return recent.count < maxFailures
        }
    }

    /// Records a failed attempt from `address`.
    func failed(_ address: String, now: Double = Date().timeIntervalSince1970) {
        failures.withLock { table in
            if table.count > 100_000 { table = [:] }
            table[address, default: []].append(now)
        }
    }
}
