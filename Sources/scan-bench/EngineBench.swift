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

        // Our runs and clamscan's alternate, so both see the same load from other work on the
        // machine. A fresh engine per run: libclamav caches clean results, and clamscan starts
        // cold too. clamscan's scan is its corpus run minus its one-file run (load, start-up).
        var loads: [BenchStatistics.Sample] = []
        var ours: [BenchStatistics.Sample] = []
        var clamscanLoads: [BenchStatistics.Sample] = []
        var clamscanRuns: [BenchStatistics.Sample] = []
        for _ in 0..<options.runs {
            var engine: Engine?
            loads.append(try BenchStatistics.measure { engine = try Engine(databaseDirectory: database) })
            guard let engine else { throw BenchError("no engine") }
            ours.append(try BenchStatistics.measure {
                for bytes in contents {
                    if case .failed(let error) = engine.scan(bytes[...]) { throw error }
                }
            })
            clamscanLoads.append(try clamscan(options.clamscan, database, [], work: work))
            clamscanRuns.append(try clamscan(options.clamscan, database, files.map(\.path), work: work))
        }

        var logger = Logger(label: "scan-bench")
        logger.logLevel = .warning
        let backend = try ClamAVBackend(settings: .init(databaseDirectory: database), logger: logger)
        let reloads = try (0..<options.runs).map { _ in try BenchStatistics.measure { try backend.reload() } }

        let median = { (samples: [BenchStatistics.Sample], key: KeyPath<BenchStatistics.Sample, Double>) in
            BenchStatistics.median(samples.map { $0[keyPath: key] })
        }
        let f = BenchStatistics.format
        func rates(_ key: KeyPath<BenchStatistics.Sample, Double>) -> (Double, Double) {
            let theirs = max(median(clamscanRuns, key) - median(clamscanLoads, key), 1e-6)
            return (megabytes / median(ours, key), megabytes / theirs)
        }
        let (ourCPU, theirCPU) = rates(\.cpu)
        let (ourWall, theirWall) = rates(\.wall)
        print("| measure | scanmilter (ClamAV wrapper) | clamscan | ratio |")
        print("| --- | ---: | ---: | ---: |")
        print("| scan, MB per CPU-second (1 thread / 1 process, all-match) | \(f(ourCPU, 1)) | \(f(theirCPU, 1)) | \(f(ourCPU / theirCPU, 2)) |")
        print("| scan, MB/s wall clock | \(f(ourWall, 1)) | \(f(theirWall, 1)) | \(f(ourWall / theirWall, 2)) |")
        print("| database load + compile, CPU s | \(f(median(loads, \.cpu), 2)) | \(f(median(clamscanLoads, \.cpu), 2)) (whole one-file run) | \(f(median(loads, \.cpu) / max(median(clamscanLoads, \.cpu), 1e-6), 2)) |")
        print("| database load + compile, wall s | \(f(median(loads, \.wall), 2)) | \(f(median(clamscanLoads, \.wall), 2)) | |")
        print("| hot reload (concurrent), wall s | \(f(median(reloads, \.wall), 2)) | | |")
        print("| memory per engine, MB (RSS delta) | \(f(engineMegabytes, 0)) | | |")
        try MessageCostBench.run(database: database, work: work, runs: options.runs)
    }

    /// One clamscan run on `paths`, or with no paths on one tiny file (its load and start-up).
    static func clamscan(_ clamscan: String, _ database: String, _ paths: [String], work: URL) throws -> BenchStatistics.Sample {
        var targets = paths
        if targets.isEmpty {
            let tiny = work.appendingPathComponent("tiny.txt")
            try Data("tiny\n".utf8).write(to: tiny)
            targets = [tiny.path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: clamscan)
        process.arguments = ["--no-summary", "--infected", "--allmatch", "-d", database] + targets
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let sample = try BenchStatistics.measureChildren {
            try process.run()
            process.waitUntilExit()
        }
        // clamscan exits 1 when it finds something; the corpus is clean, so anything but 0 is wrong.
        guard process.terminationStatus == 0 else { throw BenchError("clamscan exited \(process.terminationStatus)") }
        return sample
    }
}
