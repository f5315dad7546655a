import Synchronization

/// The console's counters, served as Prometheus text on its own `/metrics` (the daemon's
/// metrics stay on `[metrics] listen`; the console is another process).
public final class ConsoleMetrics: Sendable {
    private struct Counts {
        var signIns: [String: Int] = ["good": 0, "failed": 0, "limited": 0]
        var releases: [String: Int] = [:]
        var deletions: [String: Int] = [:]
        var digestsSent = 0
        var digestFailures = 0
        var linkRefusals: [String: Int] = [:]
    }
    private let counts = Mutex(Counts())

    public init() {}

    /// A sign-in: `good`, `failed` or `limited` (refused by the rate limit).
    func signIn(_ result: String) { counts.withLock { $0.signIns[result, default: 0] += 1 } }
    /// A release through `via` (`console`, `api`, `link`) with its `result`.
    func release(via: String, result: String) { counts.withLock { $0.releases["\(via)\u{0}\(result)", default: 0] += 1 } }
    /// A deletion through `via`.
    func deletion(via: String) { counts.withLock { $0.deletions[via, default: 0] += 1 } }
    /// A digest sent, or not.
    func digest(sent: Bool) { counts.withLock { if sent { $0.digestsSent += 1 } else { $0.digestFailures += 1 } } }
    /// A digest link refused, and why.
    func linkRefused(_ reason: String) { counts.withLock { $0.linkRefusals[reason, default: 0] += 1 } }

    /// The Prometheus text exposition (version 0.0.4).
    func exposition() -> String {
        let counts = counts.withLock { $0 }
        var out = ""
        func family(_ name: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n" }
        family("scanmilter_web_sign_ins_total", "Console sign-ins, by result (good, failed, limited).")
        for (result, count) in counts.signIns.sorted(by: { $0.key < $1.key }) {
            out += "scanmilter_web_sign_ins_total{result=\"\(result)\"} \(count)\n"
        }
        family("scanmilter_web_releases_total", "Releases asked for through the console, the API or a digest link, by outcome.")
        for (key, count) in counts.releases.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            out += "scanmilter_web_releases_total{via=\"\(parts[0])\",result=\"\(parts.count > 1 ? parts[1] : "")\"} \(count)\n"
        }
        family("scanmilter_web_deletions_total", "Entries deleted through the console, the API or a digest link.")
        for (via, count) in counts.deletions.sorted(by: { $0.key < $1.key }) {
            out += "scanmilter_web_deletions_total{via=\"\(via)\"} \(count)\n"
        }
        family("scanmilter_web_digests_sent_total", "Recipient digests the relay accepted.")
        out += "scanmilter_web_digests_sent_total \(counts.digestsSent)\n"
        family("scanmilter_web_digest_failures_total", "Recipient digests the relay refused or that could not be sent.")
        out += "scanmilter_web_digest_failures_total \(counts.digestFailures)\n"
        family("scanmilter_web_link_refusals_total", "Digest links refused, by reason.")
        for (reason, count) in counts.linkRefusals.sorted(by: { $0.key < $1.key }) {
            out += "scanmilter_web_link_refusals_total{reason=\"\(reason)\"} \(count)\n"
        }
        return out
    }
}
