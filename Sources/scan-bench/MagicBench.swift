import FileMagic
import Glibc
import Foundation
import Synchronization

/// `scan-bench magic [--seconds S] [--runs R] [--threads 1,2,4,8]` (defaults 0.5 s, 5 runs): libmagic type-detection
/// throughput for three ways of sharing `magic_t` across threads: the pool TypeDetector uses,
/// one handle per thread (the ideal with no sharing), and one handle behind a lock (the
/// reference). Prints medians of R interleaved runs and each strategy's ratio to the pool.
enum MagicBench {
    struct Options {
        var seconds = 0.5
        var runs = 5
        var threads = [1, 2, 4, 8]
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ arguments: [String]) throws {
        let options = try parse(arguments)
        let corpus = Corpus.make()
        let totalBytes = corpus.reduce(0) { $0 + min($1.count, TypeDetector.Configuration.defaultPrefixLength) }
        print("magic: libmagic \(MagicHandle.libraryVersion) on \(ProcessInfo.processInfo.operatingSystemVersionString), corpus of \(corpus.count) buffers (\(totalBytes / corpus.count) bytes examined on average), \(options.runs) runs of \(options.seconds) s, \(ProcessInfo.processInfo.activeProcessorCount) cores")

        try printSetupCosts(corpus)
        try printPoolOverhead()
        print("")
        print("threads  strategy             detections/s (min-max)  ratio to pool   per CPU-second")
        for threads in options.threads {
            // Runs interleave the strategies, so load from other processes falls on all alike.
            var wall: [Strategy: [Double]] = [:], cpu: [Strategy: [Double]] = [:]
            for run in 0..<options.runs {
                for offset in 0..<Strategy.allCases.count {
                    let strategy = Strategy.allCases[(run + offset) % Strategy.allCases.count]
                    let rate = try measure(strategy, threads: threads, seconds: options.seconds, corpus: corpus)
                    wall[strategy, default: []].append(rate.wall)
                    cpu[strategy, default: []].append(rate.cpu)
                }
            }
            let pool = median(wall[.pool] ?? [])
            for strategy in Strategy.allCases {
                let values = wall[strategy] ?? []
                let rate = median(values)
                let range = String(format: "(%.0f-%.0f)", values.min() ?? 0, values.max() ?? 0)
                print(String(format: "%7d  %-20@ %8.0f %-13@  %5.2f   %8.0f", threads, strategy.rawValue as NSString, rate,
                             range as NSString, rate / pool, median(cpu[strategy] ?? [])))
            }
        }
    }

    enum Strategy: String, CaseIterable {
        case pool = "pool (TypeDetector)"
        case perThread = "handle per thread"
        case locked = "one locked handle"
    }

    /// One handle shared under a lock: the reference strategy.
    /// `@unchecked Sendable` because every use of `handle` is inside `lock`.
    final class LockedHandle: @unchecked Sendable {
        let lock = NSLock()
        let handle: MagicHandle
        init() throws { handle = try MagicHandle() }
        func detect(_ bytes: [UInt8]) throws -> DetectedType {
            lock.lock()
            defer { lock.unlock() }
            return try handle.detect(bytes[...])
        }
    }

    /// Detections per second with `threads` threads running for `seconds`.
    static func measure(_ strategy: Strategy, threads: Int, seconds: Double, corpus: [[UInt8]]) throws -> (wall: Double, cpu: Double) {
        let detector = try TypeDetector()
        let locked = try LockedHandle()
        let count = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let start = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                // Each thread opens its own handle before the clock starts.
                let own = strategy == .perThread ? try? MagicHandle() : nil
                while !start.load(ordering: .acquiring) { usleep(100) }
                var index = thread
                var done = 0
                while !stop.load(ordering: .relaxed) {
                    let bytes = corpus[index % corpus.count]
                    index += 1
                    do {
                        switch strategy {
                        case .pool: _ = try detector.detect(bytes)
                        case .perThread:
                            guard let own else { throw UsageError(description: "no handle") }
                            _ = try own.detect(bytes[...])
                        case .locked: _ = try locked.detect(bytes)
                        }
                        done += 1
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
                count.add(done, ordering: .relaxed)
            }
        }
        usleep(50_000)
        let clock = ContinuousClock()
        let began = clock.now
        let cpuBefore = processCPUSeconds()
        start.store(true, ordering: .releasing)
        Thread.sleep(forTimeInterval: seconds)
        stop.store(true, ordering: .relaxed)
        group.wait()
        let elapsed = clock.now - began
        let cpu = processCPUSeconds() - cpuBefore
        guard failures.load(ordering: .relaxed) == 0 else {
            throw UsageError(description: "\(failures.load(ordering: .relaxed)) detections failed")
        }
        let done = Double(count.load(ordering: .relaxed))
        return (done / Self.seconds(elapsed), done / max(cpu, 1e-9))
    }

    /// User plus system CPU time of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let time = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return time(usage.ru_utime) + time(usage.ru_stime)
    }

    /// The pool's own cost: borrowing and returning a handle around the cheapest detection
    /// (an empty buffer), against the same detection on a handle held directly.
    static func printPoolOverhead() throws {
        let detector = try TypeDetector(configuration: .init(description: .never))
        let handle = try MagicHandle()
        let empty = [UInt8]()[...]
        let clock = ContinuousClock()
        let iterations = 200_000
        var pooled: [Double] = [], direct: [Double] = []
        for _ in 0..<7 {
            var began = clock.now
            for _ in 0..<iterations { _ = try detector.detect(empty) }
            pooled.append(seconds(clock.now - began) / Double(iterations) * 1e9)
            began = clock.now
            for _ in 0..<iterations { _ = try handle.detect(empty, description: .never) }
            direct.append(seconds(clock.now - began) / Double(iterations) * 1e9)
        }
        // The fastest of interleaved runs: other processes only ever add time.
        let pool = pooled.min() ?? 0, held = direct.min() ?? 0
        print(String(format: "empty buffer (fastest of 7 runs): %.0f ns through the pool, %.0f ns on a held handle: pool overhead %.0f ns per detection",
                     pool, held, pool - held))
    }

    /// What a handle costs to open, and what one detection costs by prefix length and description.
    static func printSetupCosts(_ corpus: [[UInt8]]) throws {
        let clock = ContinuousClock()
        var opens: [Double] = []
        for _ in 0..<20 {
            let began = clock.now
            _ = try MagicHandle()
            opens.append(seconds(clock.now - began) * 1000)
        }
        print(String(format: "open + load one handle: %.2f ms (median of 20)", median(opens)))
        let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 24_000).utf8)  // ~1 MiB
        for prefix in [64 * 1024, 256 * 1024, 1024 * 1024] {
            let handle = try MagicHandle(prefixLength: prefix)
            for (label, description) in [("type only", DescriptionPass.never), ("type + description", .always)] {
                var times: [Double] = []
                for _ in 0..<15 {
                    let began = clock.now
                    _ = try handle.detect(text[...], description: description)
                    times.append(seconds(clock.now - began) * 1000)
                }
                print(String(format: "1 MiB of text, prefix %4d KiB, %-18@: %.2f ms per detection", prefix / 1024, label as NSString, median(times)))
            }
        }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            switch flag {
            case "--seconds": options.seconds = try number(Double(value), flag)
            case "--runs": options.runs = try number(Int(value), flag)
            case "--threads": options.threads = try value.split(separator: ",").map { try number(Int($0), flag) }
            default: throw UsageError(description: "unknown option \(flag); use --seconds S --runs R --threads 1,2,4,8")
            }
        }
        return options
    }

    private static func number<T: Comparable & Numeric>(_ value: T?, _ flag: String) throws -> T {
        guard let value, value > 0 else { throw UsageError(description: "\(flag) needs a positive number") }
        return value
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }

    /// Attachment-like buffers of the kinds mail carries: text and HTML bodies, PDF, images,
    /// zip and Office files, and a Windows executable.
    enum Corpus {
        static func make() -> [[UInt8]] {
            var random = SystemRandomNumberGenerator()
            let noise = { (count: Int) in (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }
            let prose = String(repeating: "Dear customer, please find the quarterly report attached. ", count: 1200)
            let text = Array(prose.utf8)
            let html = Array(("<!DOCTYPE html><html><body><p>" + prose + "</p></body></html>\n").utf8)
            let pdf = Array("%PDF-1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n".utf8) + noise(80_000)
            let png = [0x89] + Array("PNG\r\n".utf8) + [0x1a, 0x0a, 0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0] + noise(60_000)
            let jpeg: [UInt8] = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0] + noise(90_000)
            var zip = [UInt8]([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0]) + [UInt8](repeating: 0, count: 16)
            zip += [9, 0, 0, 0] + Array("data.bin".utf8) + [0] + noise(50_000)
            var docx = [UInt8]([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0]) + [UInt8](repeating: 0, count: 16)
            docx += [19, 0, 0, 0] + Array("[Content_Types].xml".utf8) + noise(20_000)
            var pe = [UInt8](repeating: 0, count: 4096)
            pe[0] = 0x4d; pe[1] = 0x5a; pe[0x3c] = 0x80
            pe.replaceSubrange(0x80..<0x84, with: [0x50, 0x45, 0, 0])
            pe.replaceSubrange(0x84..<0x88, with: [0x4c, 0x01, 1, 0])
            return [text, html, pdf, png, jpeg, zip, docx, pe + noise(40_000)]
        }
    }
}
