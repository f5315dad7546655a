import Foundation

/// Small helpers for timing and summarising benchmark runs.
enum BenchStatistics {
    /// The median of `values` (0 for none).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Seconds `body` takes.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Wall-clock and CPU seconds of one measured piece of work.
    struct Sample {
        var wall: Double
        var cpu: Double
    }

    /// Wall and CPU time of `body` on this thread. CPU time is the figure to trust on a machine
    /// shared with other work; wall time is printed beside it.
    static func measure(_ body: () throws -> Void) rethrows -> Sample {
        let cpuStart = threadCPUSeconds()
        let wall = try seconds(body)
        return Sample(wall: wall, cpu: threadCPUSeconds() - cpuStart)
    }

    /// Wall time of `body` and the CPU time of the child processes it waited for.
    static func measureChildren(_ body: () throws -> Void) rethrows -> Sample {
        let cpuStart = childrenCPUSeconds()
        let wall = try seconds(body)
        return Sample(wall: wall, cpu: childrenCPUSeconds() - cpuStart)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Resident set size of this process in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A number with `digits` decimals.
    static func format(_ value: Double, _ digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }
}

/// A benchmark failure with a message.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
