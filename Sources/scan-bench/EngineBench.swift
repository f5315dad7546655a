import ClamAV
import Foundation
import Logging
import Scanning

/// `scan-bench engine`: scan throughput of our libclamav wrapper beside `clamscan` on the same
/// files and database, engine load and reload time, memory per engine, and the clean-mail cost
/// of message scanning against one whole-message scan. Prints medians of `--runs` runs.
enum EngineBench {
    struct Options {
        var database: String?
        var hashes = 500_000
        var bodies = 20_000
        var megabytes = 32
        var runs = 5
        var clamscan = "/usr/bin/clamscan"

        init(_ arguments: [String]) throws {
            var iterator = arguments.makeIterator()
            while let argument = iterator.next() {
                func value() throws -> String {
                    guard let value = iterator.next() else { throw BenchError("\(argument) needs a value") }
                    return value
                }
                func number() throws -> Int {
                    guard let number = Int(try value()), number > 0 else { throw BenchError("\(argument) needs a positive number") }
                    return number
                }
                switch argument {
                case "--database": database = try value()
                case "--hashes": hashes = try number()
                case "--bodies": bodies = try number()
                case "--megabytes": megabytes = try number()
                case "--runs": runs = try number()
                case "--clamscan": clamscan = try value()
                case "--help":
                    print("""
                        scan-bench engine [--database DIR | --hashes N --bodies N] [--megabytes N] [--runs N] [--clamscan PATH]
                          --database DIR  scan with this signature directory instead of a generated one
                          --hashes N      generated MD5 signatures (default 500000)
                          --bodies N      generated 16-byte body signatures (default 20000)
                          --megabytes N   size of the generated clean corpus (default 32)
                          --runs N        runs per figure; medians are printed (default 5)
                        """)
                    exit(0)
                default: throw BenchError("unknown option \(argument)")
                }
            }
        }
    }

    static func run(_ arguments: [String]) throws {
        let options = try Options(arguments)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("scan-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let database: String
        if let given = options.database {
            database = given
        } else {
            let generated = work.appendingPathComponent("db")
            try BenchCorpus.writeDatabase(in: generated, hashes: options.hashes, bodies: options.bodies)
            database = generated.path
        }
        let files = try BenchCorpus.writeFiles(in: work.appendingPathComponent("files"), totalBytes: options.megabytes << 20)
        let contents = try files.map { Array(try Data(contentsOf: $0)) }
        let megabytes = Double(contents.reduce(0) { $0 + $1.count }) / 1_048_576

        let rssBefore = BenchStatistics.residentBytes()
        let firstEngine = try Engine(databaseDirectory: database)
        let engineMegabytes = Double(BenchStatistics.residentBytes() - rssBefore) / 1_048_576
        print("scan-bench engine: libclamav \(ClamAVLibrary.version), database \(firstEngine.database) in \(database)")
        print("corpus: \(files.count) clean files, \(BenchStatistics.format(megabytes)) MB; \(options.runs) runs, medians\n")

        // A fresh engine per run: libclamav caches clean results, and clamscan starts cold too.
        var loads: [Double] = []
        var ours: [Double] = []
        for _ in 0..<options.runs {
            var engine: Engine?
            loads.append(try BenchStatistics.seconds { engine = try Engine(databaseDirectory: database) })
            guard let engine else { throw BenchError("no engine") }
            ours.append(try BenchStatistics.seconds {
                for bytes in contents {
                    if case .failed(let error) = engine.scan(bytes[...]) { throw error }
                }
            })
        }
        let clamscanLoad = try (0..<options.runs).map { _ in try clamscanSeconds(options.clamscan, database, [files[0].path], onlyLoad: true, work: work) }
        let clamscanTotal = try (0..<options.runs).map { _ in try clamscanSeconds(options.clamscan, database, files.map(\.path), onlyLoad: false, work: work) }
        let clamscanScan = max(BenchStatistics.median(clamscanTotal) - BenchStatistics.median(clamscanLoad), 1e-6)

        var logger = Logger(label: "scan-bench")
        logger.logLevel = .warning
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: database), logger: logger)
        let reloads = try (0..<options.runs).map { _ in try BenchStatistics.seconds { try backend.reload() } }

        let ourRate = megabytes / BenchStatistics.median(ours)
        let theirRate = megabytes / clamscanScan
        let f = BenchStatistics.format
        print("| measure | scanmilter (ClamAV wrapper) | clamscan | ratio |")
        print("| --- | ---: | ---: | ---: |")
        print("| scan throughput, MB/s (1 process, 1 thread, all-match) | \(f(ourRate, 1)) | \(f(theirRate, 1)) | \(f(ourRate / theirRate, 2)) |")
        print("| engine load + compile, s | \(f(BenchStatistics.median(loads), 2)) | \(f(BenchStatistics.median(clamscanLoad), 2)) (whole run, 1 file) | |")
        print("| hot reload (concurrent), s | \(f(BenchStatistics.median(reloads), 2)) | | |")
        print("| memory per engine, MB (RSS delta) | \(f(engineMegabytes, 0)) | | |")
        try MessageCostBench.run(database: database, files: files, runs: options.runs)
    }

    /// One clamscan run's wall time: on the corpus, or (`onlyLoad`) on one tiny file, which is
    /// its database load and start-up.
    static func clamscanSeconds(_ clamscan: String, _ database: String, _ paths: [String], onlyLoad: Bool, work: URL) throws -> Double {
        var targets = paths
        if onlyLoad {
            let tiny = work.appendingPathComponent("tiny.txt")
            try Data("tiny\n".utf8).write(to: tiny)
            targets = [tiny.path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: clamscan)
        process.arguments = ["--no-summary", "--infected", "--allmatch", "-d", database] + targets
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let seconds = try BenchStatistics.seconds {
            try process.run()
            process.waitUntilExit()
        }
        // clamscan exits 1 when it finds something; the corpus is clean, so anything but 0 is wrong.
        guard process.terminationStatus == 0 else { throw BenchError("clamscan exited \(process.terminationStatus)") }
        return seconds
    }
}
