import ArgumentParser
import Foundation
import MilterClient
import ScanmilterVersion

/// The milter-load command line.
struct MilterLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "milter-load",
        abstract: "Drives any milter over its socket the way Postfix does, and reports throughput, latency and the milter's resources.",
        discussion: """
            Each of --connections threads opens a milter connection (protocol 6,
            TCP_NODELAY), reports a client (connect, HELO) and sends corpus messages
            in turn with Postfix's default macros, --messages-per-connection before
            reconnecting (Postfix opens one per SMTP session). Latency is per
            message, connection set-up included when it opened one. As Postfix does,
            packets that expect no answer (macros, no-reply steps) are held and
            written together with the next one that does (--packet-per-write: not).

            The corpus is every *.eml file of --corpus; the part of a file name
            before its first "-" is its class (scripts/bench/make_corpus.py writes
            small-, office-, large-, eicar-, banned-). With --pid (repeatable), the
            processes' peak RSS and CPU time are reported.

            Exit status: 0, 1 when any message failed, 64 for bad arguments.
            """,
        version: ScanmilterVersion.current
    )

    @Option(help: "The milter's socket: unix:/path, inet:PORT@HOST or inet6:PORT@HOST.")
    var socket: String

    @Option(help: "The directory of *.eml messages to send.")
    var corpus: String

    @Option(help: "Concurrent milter connections (one thread each).")
    var connections = 1

    @Option(help: "Stop after this many messages.")
    var messages: Int?

    @Option(help: "Stop after this many seconds (default 10 when --messages is not given).")
    var duration: Double?

    @Option(help: "Messages per milter connection before it is closed and reopened.")
    var messagesPerConnection = 1

    @Option(help: "A process of the milter whose memory and CPU time to report (repeatable).")
    var pid: [Int32] = []

    @Option(help: "Seconds to wait for each answer (Postfix's milter_command_timeout).")
    var timeout: Double = 300

    @Option(help: "Write each corpus message's first verdict to this file (name TAB verdict).")
    var verdicts: String?

    @Flag(help: "Write every packet on its own instead of holding those that expect no answer until the next that does (as Postfix's buffered streams do).")
    var packetPerWrite = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        do {
            _ = try MilterSocketSpec(parsing: socket)
        } catch {
            throw ValidationError("--socket: \(error)")
        }
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
        guard messagesPerConnection > 0 else { throw ValidationError("--messages-per-connection must be at least 1") }
        if let messages, messages <= 0 { throw ValidationError("--messages must be positive") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        for pid in pid where kill(pid, 0) != 0 {
            throw ValidationError("--pid \(pid): no such process")
        }
    }

    func run() throws {
        let loaded: [CorpusMessage]
        do {
            loaded = try CorpusMessage.load(directory: corpus)
        } catch {
            throw ValidationError("--corpus \(corpus): \(error.localizedDescription)")
        }
        guard !loaded.isEmpty else { throw ValidationError("--corpus \(corpus) holds no *.eml file") }
        var options = MilterConnection.Options()
        options.commandTimeout = .milliseconds(Int64(timeout * 1000))
        options.endOfMessageTimeout = .milliseconds(Int64(timeout * 1000))
        options.holdsPacketsUntilReply = !packetPerWrite
        let plan = LoadRun.Plan(
            spec: try MilterSocketSpec(parsing: socket), connections: connections, messageLimit: messages,
            duration: messages == nil ? .milliseconds(Int64((duration ?? 10) * 1000)) : duration.map { .milliseconds(Int64($0 * 1000)) },
            messagesPerConnection: messagesPerConnection, options: options
        )
        let sampler = ProcessSampler(pids: pid)
        sampler.start()
        let load = LoadRun(plan: plan, corpus: loaded)
        let cpuBefore = Self.ownCPUSeconds()
        let (tally, elapsed) = load.run()
        let generatorCPU = Self.ownCPUSeconds() - cpuBefore
        let usage = sampler.stop()
        let report = LoadReport(
            socket: socket, connections: connections, corpusMessages: loaded.count, tally: tally, elapsed: elapsed,
            negotiation: load.negotiation, processes: usage, generatorCPUSeconds: generatorCPU
        )
        if let verdicts {
            let lines = tally.perMessage.keys.sorted().map { "\($0)\t\(tally.perMessage[$0] ?? "")" }
            try (lines.joined(separator: "\n") + "\n").write(toFile: verdicts, atomically: true, encoding: .utf8)
        }
        print(json ? try report.json() : report.text())
        if report.errorCount > 0 { throw ExitCode(1) }
    }

    /// This process's user + system CPU time so far (getrusage), seconds.
    private static func ownCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
