#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command-line options both subcommands share (parsed by hand: the target depends on MIME only).
struct BenchOptions {
    var corpus: [String] = []
    var seconds: Double = 60
    var out = "."
    var seed: UInt64 = 0x5EED

    /// Reads `--name value` pairs; nil on anything it does not know.
    init?(parsing arguments: ArraySlice<String>) {
        var rest = arguments
        while let name = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch name {
            case "--corpus": corpus.append(value)
            case "--out": out = value
            case "--seconds":
                guard let s = Double(value), s > 0 else { return nil }
                seconds = s
            case "--seed":
                guard let s = UInt64(value) else { return nil }
                seed = s
            default: return nil
            }
        }
        if corpus.isEmpty { return nil }
    }
}

/// The regular files of `directories`, sorted by path so every run visits them in the same order.
func corpusFiles(_ directories: [String]) -> [String] {
    var files: [String] = []
    for directory in directories {
        guard let dir = opendir(directory) else {
            printError("mime-bench: cannot open \(directory): \(String(cString: strerror(errno)))")
            continue
        }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            let path = directory + "/" + name
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                files.append(path)
            }
        }
        closedir(dir)
    }
    return files.sorted()
}

/// Peak resident set size of this process, in kilobytes (getrusage(2)).
func peakRSSKilobytes() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss
}

/// User plus system CPU time of this process so far, in seconds (getrusage(2)).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Writes a line to standard error.
func printError(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}
