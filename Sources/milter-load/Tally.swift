import Histogram

/// What the workers counted: latencies, verdicts, errors. Each worker fills its own and they
/// are merged at the end, so the hot path takes no lock.
struct Tally: Sendable {
    /// Latency of each completed message, microseconds (connection set-up included when the
    /// message opened one, as Postfix opens one per SMTP session).
    var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var completed = 0
    var bytes = 0
    var verdicts: [String: Int] = [:]
    /// Verdict counts per corpus class (`eicar` → `reject` → 12).
    var verdictsByKind: [String: [String: Int]] = [:]
    var errors: [String: Int] = [:]
    /// The first error of each kind, as the client described it (which call failed, errno).
    var firstErrors: [String: String] = [:]
    /// The first verdict seen for each corpus message, to compare milters message by message.
    var perMessage: [String: String] = [:]

    mutating func record(_ message: CorpusMessage, verdict: String, microseconds: UInt64) {
        _ = latency.record(max(microseconds, 1))
        completed += 1
        bytes += message.size
        verdicts[verdict, default: 0] += 1
        verdictsByKind[message.kind, default: [:]][verdict, default: 0] += 1
        if perMessage[message.name] == nil { perMessage[message.name] = verdict }
    }

    mutating func recordError(kind: String, _ description: String) {
        errors[kind, default: 0] += 1
        if firstErrors[kind] == nil { firstErrors[kind] = description }
    }

    mutating func merge(_ other: Tally) {
        latency.add(other.latency)
        completed += other.completed
        bytes += other.bytes
        verdicts.merge(other.verdicts, uniquingKeysWith: +)
        verdictsByKind.merge(other.verdictsByKind) { $0.merging($1, uniquingKeysWith: +) }
        errors.merge(other.errors, uniquingKeysWith: +)
        firstErrors.merge(other.firstErrors) { first, _ in first }
        perMessage.merge(other.perMessage) { first, _ in first }
    }
}
