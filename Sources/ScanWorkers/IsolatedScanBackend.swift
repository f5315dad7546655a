#if canImport(Glibc)
import Glibc
#endif
public import Foundation
public import Logging
public import MIME
public import Scanning
import Synchronization
import CSandbox

/// The embedded engine, run in worker processes: a ``ScanBackend`` whose scans happen in
/// processes forked from a zygote that holds the engine, so a parser that crashes or hangs on
/// hostile content costs that one scan, never the milter and the messages in flight.
///
/// Content goes to a worker as a descriptor: a memfd holding the bytes (one copy) or the
/// caller's own file. A worker that dies or does not answer within ``Configuration/scanTimeout``
/// is killed if need be and replaced; its scan reports ``UnscannableReason/Code/workerCrashed``
/// with the cause (the signal, the seccomp filter, the time limit).
public final class IsolatedScanBackend: ScanBackend {
    /// How the zygote is started and the workers are run.
    public struct Configuration: Sendable {
        /// The executable to start as the zygote (the daemon: its own binary).
        public var executable: String
        /// Its arguments (the daemon: `--scan-zygote --config FILE`).
        public var arguments: [String]
        /// Workers at most: the scans that can run at once.
        public var workers: Int
        /// How long one scan may take before its worker is killed.
        public var scanTimeout: Duration
        /// How long the zygote may take to load the signatures (at start and on reload).
        public var loadTimeout: Duration
        /// The zygote's environment; nil: the milter's own.
        public var environment: [String: String]?
        /// Bytes of content under libclamav's mail parser at once, across all workers
        /// (`[scan] mail_decoding_budget`): each worker is one process, so the budget is kept here.
        public var mailDecodingBudget: Int

        public init(
            executable: String, arguments: [String], workers: Int, scanTimeout: Duration = .seconds(150),
            loadTimeout: Duration = .seconds(900), environment: [String: String]? = nil,
            mailDecodingBudget: Int = ClamAVBackendSettings.defaultMailDecodingBudget
        ) {
            self.mailDecodingBudget = mailDecodingBudget
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.workers = max(1, workers)
            self.scanTimeout = scanTimeout
            self.loadTimeout = loadTimeout
        }
    }

    /// What the zygote reports about the signatures it loaded.
    public struct EngineInfo: Sendable, Equatable {
        /// The signed daily database's version, when there is one.
        public var version: Int?
        /// When the signatures were built.
        public var buildTime: Date?
        /// The description for headers and logs.
        public var description: String
    }

    /// Workers, restarts and their causes, for `status` and the metrics.
    public struct Status: Sendable, Equatable {
        /// Worker processes alive (idle or scanning).
        public var workers: Int
        /// Workers scanning right now.
        public var busy: Int
        /// Workers that died or were killed, by cause (`SIGSEGV`, `seccomp`, `timeout`, `exit 3`, ...).
        public var deaths: [String: Int]
        /// The zygote's process id.
        public var zygotePID: Int32
        /// How the first worker was confined, e.g. "landlock=yes seccomp=yes".
        public var confinement: String
    }

    struct Worker {
        var pid: Int32
        var channel: WorkerChannel
        var generation: Int
    }

    struct State {
        var idle: [Worker] = []
        var alive = 0
        var busy = 0
        var generation = 0
        var info: EngineInfo
        var deaths: [String: Int] = [:]
        var confinement = ""
    }

    let configuration: Configuration
    let logger: Logger
    let state: Mutex<State>
    /// The zygote's control channel; one request at a time.
    let zygote: Mutex<ZygoteProcess>
    /// One permit per worker: a scan holds one from taking a worker to giving it back.
    private let permits: DispatchSemaphore
    /// Bounds the bytes under libclamav's mail parser at once in all workers together; large
    /// messages take turns, as they do in the in-process engine.
    private let mailDecoding: ByteBudget

    /// Starts the zygote, waits for it to load the signatures, and forks the workers; throws
    /// when the signatures do not load (the zygote's own log lines say why).
    public init(configuration: Configuration, logger: Logger) throws(WorkerError) {
        self.configuration = configuration
        self.logger = logger
        let zygote = try ZygoteProcess.start(configuration, logger: logger)
        let info = zygote.info
        let zygotePID = zygote.pid
        self.zygote = Mutex(zygote)
        state = Mutex(State(info: info))
        permits = DispatchSemaphore(value: configuration.workers)
        mailDecoding = ByteBudget(budget: configuration.mailDecodingBudget)
        logger.info("scan zygote loaded the signatures", metadata: [
            "scan.zygote_pid": "\(zygotePID)", "scan.database": "\(info.description)", "scan.workers": "\(configuration.workers)",
        ])
        for _ in 0..<configuration.workers {
            let worker = try forkWorker()
            state.withLock { $0.idle.append(worker) }
        }
    }

    deinit {
        zygote.withLock { $0.stop() }
    }

    public var databaseDescription: String {
        state.withLock { $0.info.description }
    }

    /// What the zygote loaded.
    public var engineInfo: EngineInfo {
        state.withLock { $0.info }
    }

    public var status: Status {
        let pid = zygote.withLock { $0.pid }
        return state.withLock { Status(workers: $0.alive, busy: $0.busy, deaths: $0.deaths, zygotePID: pid, confinement: $0.confinement) }
    }

    public func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        withMemfd(of: bytes.count, fill: { descriptor in bytes.withUnsafeBytes { Self.writeAll(descriptor, $0) } }) { run(.full, descriptor: $0) }
    }

    public func scan(fileDescriptor: Int32) -> ScanVerdict {
        run(.file, descriptor: fileDescriptor)
    }

    public func scanRawMessage(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        withMemfd(of: bytes.count, fill: { descriptor in bytes.withUnsafeBytes { Self.writeAll(descriptor, $0) } }) { run(.raw, descriptor: $0) }
    }

    public func scan(message: MessageBytes, decodingMail: Bool) -> ScanVerdict {
        let scan = {
            self.withMemfd(of: message.count, fill: { descriptor in message.withUnsafeBytes { Self.writeAll(descriptor, $0) } }) {
                self.run(decodingMail ? .full : .raw, descriptor: $0)
            }
        }
        return decodingMail ? mailDecoding.withAdmission(of: message.count, scan) : scan()
    }

    /// Reloads the signatures in the zygote; the workers forked from then on scan with the new
    /// set, and each old one is retired when its scan in flight ends. A set that fails to load
    /// leaves the old one serving (the zygote's engine does that) and throws.
    public func reload() throws(WorkerError) -> EngineInfo {
        let info = try zygote.withLock { zygote throws(WorkerError) -> EngineInfo in try zygote.reload(timeout: configuration.loadTimeout) }
        let retired = state.withLock { state -> [Worker] in
            state.generation += 1
            state.info = info
            let old = state.idle
            state.idle = []
            state.alive -= old.count
            return old
        }
        for worker in retired { worker.channel.close() }
        // Replacements now, so the next scans do not each wait for a fork.
        for _ in 0..<retired.count {
            guard let worker = try? forkWorker() else { break }
            give(back: worker, wasBusy: false)
        }
        return info
    }

    // MARK: scans

    private func withMemfd(of size: Int, fill: (Int32) -> Bool, _ body: (Int32) -> ScanVerdict) -> ScanVerdict {
        let descriptor = scanmilter_memfd("scanmilter-content")
        guard descriptor >= 0 else {
            return .unscannable(UnscannableReason(.engineError, "memfd_create: \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        guard fill(descriptor) else {
            return .unscannable(UnscannableReason(.engineError, "cannot write the content for the scan worker: \(String(cString: strerror(errno)))"))
        }
        return body(descriptor)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return true }
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private func run(_ request: ScanRequest, descriptor: Int32) -> ScanVerdict {
        permits.wait()
        defer { permits.signal() }
        // A worker that died while idle (killed from outside, the OOM killer) is noticed when the
        // request cannot be sent; that costs the content nothing: it goes to another worker.
        for _ in 0...configuration.workers {
            let worker: Worker
            do {
                worker = try take()
            } catch {
                logger.error("no scan worker", metadata: ["error": "\(error)"])
                return .unscannable(UnscannableReason(.backendUnavailable, "no scan worker: \(error.message)"))
            }
            do {
                try worker.channel.send(request.line, passing: descriptor)
            } catch {
                _ = lost(worker, error, whileIdle: true)
                continue
            }
            return answer(from: worker)
        }
        return .unscannable(UnscannableReason(.backendUnavailable, "every scan worker died before it could take the content"))
    }

    /// The answer to the request just sent to `worker`.
    private func answer(from worker: Worker) -> ScanVerdict {
        do throws(WorkerError) {
            let reply = try worker.channel.receive(until: .now + configuration.scanTimeout)
            if let stray = reply.descriptor { close(stray) }
            guard let verdict = ScanVerdict(workerLine: reply.text) else {
                throw WorkerError(.protocolViolation, "unexpected answer \"\(reply.text.prefix(120))\"")
            }
            give(back: worker)
            return verdict
        } catch {
            return lost(worker, error)
        }
    }

    private func take() throws(WorkerError) -> Worker {
        let reused = state.withLock { state -> Worker? in
            guard let worker = state.idle.popLast() else { return nil }
            state.busy += 1
            return worker
        }
        if let reused { return reused }
        let worker = try forkWorker()
        state.withLock { $0.busy += 1 }
        return worker
    }

    private func give(back worker: Worker, wasBusy: Bool = true) {
        let keep = state.withLock { state -> Bool in
            if wasBusy { state.busy -= 1 }
            guard worker.generation == state.generation else {
                state.alive -= 1
                return false
            }
            state.idle.append(worker)
            return true
        }
        if !keep { worker.channel.close() }
    }

    /// A worker that failed its scan: kill it if it still runs, learn how it ended, count it,
    /// and report the scan as lost to a crash. Its replacement is forked on the next scan.
    private func lost(_ worker: Worker, _ error: WorkerError, whileIdle: Bool = false) -> ScanVerdict {
        let hung = error.code == .timeout
        if hung || error.code == .protocolViolation { kill(worker.pid, SIGKILL) }
        worker.channel.close()
        var ending = (try? zygote.withLock { zygote throws(WorkerError) -> String in try zygote.status(of: worker.pid) }) ?? "UNKNOWN"
        if ending == "RUNNING" {
            kill(worker.pid, SIGKILL)
            ending = (try? zygote.withLock { zygote throws(WorkerError) -> String in try zygote.status(of: worker.pid) }) ?? "UNKNOWN"
        }
        let (cause, detail) = Self.cause(ending, hung: hung, timeout: configuration.scanTimeout, error: error)
        state.withLock { state in
            state.busy -= 1
            state.alive -= 1
            state.deaths[cause, default: 0] += 1
        }
        // Killed from outside (the OOM killer, an administrator): not the content's doing, so
        // it is not held against the message (no poison count), but the scan is still lost.
        let external = !hung && (cause == "SIGKILL" || cause == "SIGTERM")
        if whileIdle {
            logger.warning("scan worker died while idle; the content goes to another worker", metadata: [
                "scan.worker_pid": "\(worker.pid)", "scan.worker_cause": "\(cause)", "error": "\(detail)",
            ])
        } else {
            logger.error("scan worker died while scanning; the content counts as unscannable", metadata: [
                "scan.worker_pid": "\(worker.pid)", "scan.worker_cause": "\(cause)", "error": "\(detail)",
            ])
        }
        // A new worker takes its place at once, so the next scan does not wait for a fork.
        do {
            give(back: try forkWorker(), wasBusy: false)
        } catch {
            logger.error("no replacement for a dead scan worker yet; the next scan forks one", metadata: ["error": "\(error.message)"])
        }
        if external {
            return .unscannable(UnscannableReason(.backendUnavailable, "scan worker \(worker.pid) \(detail) (from outside: the OOM killer or an administrator)"))
        }
        return .unscannable(UnscannableReason(.workerCrashed, "scan worker \(worker.pid) \(detail)"))
    }

    /// The counted cause and the words for the log from the zygote's STATUS answer.
    static func cause(_ ending: String, hung: Bool, timeout: Duration, error: WorkerError) -> (String, String) {
        let fields = ending.split(separator: "\t").map(String.init)
        if hung {
            return ("timeout", "did not answer within \(timeout.components.seconds) s and was killed")
        }
        if fields.first == "SIGNALED", fields.count == 2, let number = Int32(fields[1]) {
            let name = SignalName.of(number)
            switch number {
            case SIGSYS: return ("seccomp", "was killed by \(name): a system call the seccomp filter forbids")
            case SIGXCPU: return ("cpu limit", "was killed by \(name): CPU time limit")
            default: return (name, "was killed by \(name)")
            }
        }
        if fields.first == "EXITED", fields.count == 2 {
            return ("exit \(fields[1])", "exited with status \(fields[1]) (\(error.message))")
        }
        return ("unknown", "was lost: \(error.message)")
    }

    private func forkWorker() throws(WorkerError) -> Worker {
        let generation = state.withLock { $0.generation }
        let (pid, channel) = try zygote.withLock { zygote throws(WorkerError) -> (Int32, WorkerChannel) in
            do throws(WorkerError) {
                return try zygote.fork()
            } catch where zygote.process.isRunning == false || error.code == .closed {
                // The zygote itself died (killed, OOM): start another, which loads the signatures
                // again; the workers still alive go on scanning meanwhile.
                logger.critical("the scan zygote is gone; starting another", metadata: [
                    "scan.zygote_pid": "\(zygote.pid)", "error": "\(error.message)",
                ])
                zygote = try ZygoteProcess.start(configuration, logger: logger)
                let info = zygote.info
                state.withLock { $0.info = info }
                return try zygote.fork()
            }
        }
        let hello: String
        do throws(WorkerError) {
            hello = try channel.receive(until: .now + .seconds(30)).text
        } catch {
            kill(pid, SIGKILL)
            throw WorkerError(error.code, "scan worker \(pid) did not start: \(error.message)")
        }
        guard hello.hasPrefix("READY") else {
            throw WorkerError(.engine, "scan worker \(pid) could not confine itself: \(hello.dropFirst(7))")
        }
        let confinement = hello.split(separator: "\t").dropFirst().joined(separator: " ")
        let first = state.withLock { state -> Bool in
            state.alive += 1
            defer { state.confinement = confinement }
            return state.confinement != confinement
        }
        if first { logger.info("scan workers confined", metadata: ["scan.confinement": "\(confinement)"]) }
        return Worker(pid: pid, channel: channel, generation: generation)
    }
}
