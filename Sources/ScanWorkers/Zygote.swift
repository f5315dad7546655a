#if canImport(Glibc)
import Glibc
#endif
import ClamAV
public import Logging
public import Scanning

/// The process that holds the engine and forks scan workers from it.
///
/// Started by the milter (`scanmilter --scan-zygote`) as a fresh, single-threaded process with
/// its control socket as standard input; it loads the signatures once, then forks each worker
/// on request, so every worker shares the engine's pages copy-on-write instead of loading its
/// own. It answers one request at a time:
///
/// - `INFO` → `INFO<TAB>version<TAB>build time<TAB>description` (also sent unasked once loaded)
/// - `FORK` → `WORKER<TAB>pid` with the milter's end of the worker's socket, or `ERROR<TAB>why`
/// - `STATUS<TAB>pid` → `EXITED<TAB>code`, `SIGNALED<TAB>signal` or `RUNNING` (waits up to 2 s)
/// - `RELOAD` → `INFO...` of the new set, or `ERROR<TAB>why` (the previous set keeps serving)
///
/// It exits when the milter closes the control socket; its workers exit when the milter closes theirs.
public enum Zygote {
    /// Serves the control socket on standard input; never returns.
    public static func run(backend: ClamAVBackend, sandbox: Sandbox, logger: Logger) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let control = WorkerChannel(descriptor: 0)
        let faultInjection = getenv(FaultInjection.variable).map { String(cString: $0) == "1" } ?? false
        if faultInjection { logger.warning("scan zygote: test fault injection is on (\(FaultInjection.variable)=1)") }
        var sandbox = sandbox
        // Only to measure which system calls a scan makes (scripts/bench/worker-syscalls.sh).
        if getenv(Sandbox.measureVariable).map({ String(cString: $0) == "1" }) ?? false {
            sandbox.seccomp = false
            logger.warning("scan workers run WITHOUT their seccomp filter (\(Sandbox.measureVariable)=1): for measuring only")
        }
        var exits = ExitBook()
        send(info(backend), on: control)
        while true {
            exits.reap()
            let request: String
            do {
                request = try control.receive(until: .now + .seconds(1)).text
            } catch where error.code == .timeout {
                continue
            } catch {
                _exit(0)
            }
            let fields = request.split(separator: "\t").map(String.init)
            switch fields.first {
            case "INFO":
                send(info(backend), on: control)
            case "FORK":
                waitForRetiredEngines(backend)
                forkWorker(on: control, backend: backend, sandbox: sandbox, faultInjection: faultInjection, logger: logger)
            case "STATUS" where fields.count == 2:
                guard let pid = Int32(fields[1]) else { send("ERROR\tmalformed pid", on: control); continue }
                send(exits.status(of: pid), on: control)
            case "RELOAD":
                do {
                    _ = try backend.reload()
                    send(info(backend), on: control)
                } catch {
                    send("ERROR\t\(error)", on: control)
                }
            default:
                send("ERROR\tunknown request", on: control)
            }
        }
    }

    private static func send(_ line: String, on control: WorkerChannel) {
        do {
            try control.send(line)
        } catch {
            _exit(0)
        }
    }

    static func info(_ backend: ClamAVBackend) -> String {
        let database = backend.database
        let version = database?.version.map(String.init) ?? "-"
        let built = database?.buildTime.map { String(Int64($0.timeIntervalSince1970)) } ?? "-"
        let description = backend.databaseDescription.replacing("\t", with: " ")
        return "INFO\t\(version)\t\(built)\t\(description)"
    }

    /// A reload frees the old engine off the main thread; fork only once that thread is done,
    /// so a worker never starts with another thread's lock held.
    private static func waitForRetiredEngines(_ backend: ClamAVBackend) {
        var waited = 0
        while backend.retiringEngines > 0 && waited < 30_000 {
            usleep(1000)
            waited += 1
        }
    }

    private static func forkWorker(on control: WorkerChannel, backend: ClamAVBackend, sandbox: Sandbox, faultInjection: Bool, logger: Logger) {
        let ends: (WorkerChannel, WorkerChannel)
        do {
            ends = try WorkerChannel.pair()
        } catch {
            send("ERROR\t\(error.message)", on: control)
            return
        }
        let (milterEnd, workerEnd) = ends
        let pid = fork()
        if pid == 0 {
            control.close()
            milterEnd.close()
            // A crash must end the worker by its own signal, at once: the Swift runtime's
            // crash handler would go on to make calls the seccomp filter forbids (and report
            // every memory error as a seccomp violation).
            for fatal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS] { signal(fatal, SIG_DFL) }
            do {
                let report = try sandbox.confine()
                try workerEnd.send(
                    "READY\tlandlock=\(report.landlock ? "yes" : "no: " + (report.landlockProblem ?? ""))\tseccomp=\(report.seccomp ? "yes" : "no")")
            } catch {
                try? workerEnd.send("FAILED\t\(error.message)")
                _exit(3)
            }
            ScanWorker.serve(workerEnd, backend: backend, faultInjection: faultInjection)
        }
        workerEnd.close()
        guard pid > 0 else {
            send("ERROR\tfork: \(String(cString: strerror(errno)))", on: control)
            return
        }
        do {
            try control.send("WORKER\t\(pid)", passing: milterEnd.descriptor)
        } catch {
            _exit(0)
        }
        milterEnd.close()
    }
}

/// How the zygote's children ended, kept until the milter asks (bounded).
struct ExitBook {
    private var statuses: [Int32: Int32] = [:]
    private var order: [Int32] = []

    /// Collects every child that has ended.
    mutating func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            record(pid, status)
        }
    }

    /// How `pid` ended; waits up to 2 s for one that is still running.
    mutating func status(of pid: Int32) -> String {
        for _ in 0..<200 {
            if let status = statuses[pid] { return Self.describe(status) }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                record(pid, status)
                continue
            }
            if reaped < 0 { return "UNKNOWN" }
            usleep(10_000)
        }
        return "RUNNING"
    }

    private mutating func record(_ pid: Int32, _ status: Int32) {
        statuses[pid] = status
        order.append(pid)
        if order.count > 1000 {
            statuses[order.removeFirst()] = nil
        }
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "EXITED\t\((status >> 8) & 0xff)" }
        return "SIGNALED\t\(signal)"
    }
}
