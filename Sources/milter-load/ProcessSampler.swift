import Foundation
import Synchronization

/// Watches the milter's processes through /proc while the load runs: resident memory sampled
/// every 50 ms (and the kernel's own high-water mark, VmHWM), CPU time consumed during the run.
final class ProcessSampler: Sendable {
    /// What one process used.
    struct Usage: Codable, Sendable {
        var pid: Int32
        /// Highest VmRSS seen while the load ran, bytes.
        var peakRSSDuringRun: UInt64
        /// VmHWM at the end: the process's peak since it started (loading included), bytes.
        var peakRSSLifetime: UInt64
        /// utime + stime consumed during the run, seconds.
        var cpuSeconds: Double
    }

    private let pids: [Int32]
    private let startTicks: [UInt64]
    private let peaks: Mutex<[UInt64]>
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(pids: [Int32]) {
        self.pids = pids
        startTicks = pids.map { Self.cpuTicks($0) ?? 0 }
        peaks = Mutex(pids.map { Self.statusField($0, "VmRSS") ?? 0 })
    }

    /// Starts sampling on its own thread.
    func start() {
        guard !pids.isEmpty else {
            finished.signal()
            return
        }
        Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                sample()
                usleep(50_000)
            }
            finished.signal()
        }.start()
    }

    /// Stops sampling and reports each process's usage.
    func stop() -> [Usage] {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
        sample()
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let seen = peaks.withLock { $0 }
        return pids.indices.map { index in
            let pid = pids[index]
            let ticks = (Self.cpuTicks(pid) ?? startTicks[index]) &- startTicks[index]
            return Usage(
                pid: pid, peakRSSDuringRun: seen[index],
                peakRSSLifetime: Self.statusField(pid, "VmHWM") ?? 0,
                cpuSeconds: Double(ticks) / ticksPerSecond
            )
        }
    }

    private func sample() {
        let now = pids.map { Self.statusField($0, "VmRSS") ?? 0 }
        peaks.withLock { peaks in
            for index in peaks.indices { peaks[index] = max(peaks[index], now[index]) }
        }
    }

    /// A `kB` field of /proc/PID/status, in bytes.
    static func statusField(_ pid: Int32, _ field: String) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return number.flatMap { UInt64($0) }.map { $0 * 1024 }
        }
        return nil
    }

    /// utime + stime from /proc/PID/stat, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return user + system
    }
}
