import Foundation
import MilterClient
import StableJSON

/// The figures of one run, printed as text or as stable JSON (`--json`) for scripts/bench.sh.
struct LoadReport: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var p50, p90, p99, max, mean: Double
    }

    var socket: String
    var connections: Int
    var corpusMessages: Int
    var seconds: Double
    var completed: Int
    var messagesPerSecond: Double
    var megabytesPerSecond: Double
    /// Milliseconds.
    var latencyMilliseconds: Latency
    var verdicts: [String: Int]
    var verdictsByKind: [String: [String: Int]]
    var errors: [String: Int]
    /// The first error of each kind, as the client described it.
    var firstErrors: [String: String]
    var errorCount: Int
    /// The milter's negotiated protocol steps and actions (SMFIP_*, SMFIF_* bits), hexadecimal.
    var negotiatedSteps: String
    var negotiatedActions: String
    var processes: [ProcessSampler.Usage]
    /// Sum over the watched processes.
    var peakRSSBytes: UInt64
    var cpuSeconds: Double
    /// milter-load's own CPU time during the run (it shares the machine with the milter).
    var generatorCPUSeconds: Double

    init(
        socket: String, connections: Int, corpusMessages: Int, tally: Tally, elapsed: Duration,
        negotiation: MilterNegotiation?, processes: [ProcessSampler.Usage], generatorCPUSeconds: Double
    ) {
        self.generatorCPUSeconds = generatorCPUSeconds
        negotiatedSteps = negotiation.map { "0x" + String($0.steps.rawValue, radix: 16) } ?? "none"
        negotiatedActions = negotiation.map { "0x" + String($0.actions.rawValue, radix: 16) } ?? "none"
        self.socket = socket
        self.connections = connections
        self.corpusMessages = corpusMessages
        let seconds = Double(LoadRun.microseconds(elapsed)) / 1e6
        self.seconds = seconds
        completed = tally.completed
        messagesPerSecond = seconds > 0 ? Double(tally.completed) / seconds : 0
        megabytesPerSecond = seconds > 0 ? Double(tally.bytes) / 1e6 / seconds : 0
        let histogram = tally.latency
        func ms(_ value: UInt64) -> Double { Double(value) / 1000 }
        latencyMilliseconds = tally.completed == 0
            ? Latency(p50: 0, p90: 0, p99: 0, max: 0, mean: 0)
            : Latency(
                p50: ms(histogram.valueAtPercentile(50)), p90: ms(histogram.valueAtPercentile(90)),
                p99: ms(histogram.valueAtPercentile(99)), max: ms(histogram.max), mean: histogram.mean / 1000
            )
        verdicts = tally.verdicts
        verdictsByKind = tally.verdictsByKind
        errors = tally.errors
        firstErrors = tally.firstErrors
        errorCount = tally.errors.values.reduce(0, +)
        self.processes = processes
        peakRSSBytes = processes.reduce(0) { $0 + $1.peakRSSDuringRun }
        cpuSeconds = processes.reduce(0) { $0 + $1.cpuSeconds }
    }

    func json() throws -> String {
        try StableJSONEncoder(sortedKeys: true, prettyPrinted: true).encode(self)
    }

    func text() -> String {
        let l = latencyMilliseconds
        var lines = [
            "milter-load: \(socket), \(connections) connection(s), \(corpusMessages) corpus messages",
            String(format: "  %d messages in %.2f s: %.1f messages/s, %.1f MB/s", completed, seconds, messagesPerSecond, megabytesPerSecond),
            String(format: "  latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f", l.p50, l.p90, l.p99, l.max, l.mean),
            "  verdicts: " + Self.counts(verdicts),
        ]
        for kind in verdictsByKind.keys.sorted() {
            lines.append("    \(kind): " + Self.counts(verdictsByKind[kind] ?? [:]))
        }
        lines.append("  errors: \(errorCount == 0 ? "none" : Self.counts(errors))")
        for kind in firstErrors.keys.sorted() {
            lines.append("    first \(kind): \(firstErrors[kind] ?? "")")
        }
        lines.append("  negotiated: steps \(negotiatedSteps), actions \(negotiatedActions)")
        lines.append(String(format: "  milter-load itself: CPU %.2f s", generatorCPUSeconds))
        for process in processes {
            lines.append(String(
                format: "  pid %d: peak RSS %.1f MB during run (%.1f MB lifetime), CPU %.2f s",
                process.pid, Double(process.peakRSSDuringRun) / 1_048_576, Double(process.peakRSSLifetime) / 1_048_576, process.cpuSeconds
            ))
        }
        return lines.joined(separator: "\n")
    }

    private static func counts(_ counts: [String: Int]) -> String {
        counts.keys.sorted().map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")
    }
}
