import ScanmilterConfiguration
import Filter
import Foundation
import Logging
import MIME
import Scanning

/// The daemon's own pipeline (parse, type detection, rules, scans, policy) on one message, again
/// and again, beside one libclamav pass over the same bytes with its mail parser: what a small
/// message costs, per stage, in CPU. Made to run under `valgrind --tool=callgrind` too: with
/// `--count 0` it does everything but the messages, so two runs give the instructions per message.
///
///   scan-bench message --database DIR --message FILE [--count 200] [--runs 5]
enum SmallMessageBench {
    static func run(_ arguments: [String]) throws {
        var database: String?
        var messagePath: String?
        var count = 200
        var runs = 5
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--database": database = iterator.next()
            case "--message": messagePath = iterator.next()
            case "--count": count = iterator.next().flatMap(Int.init) ?? count
            case "--runs": runs = iterator.next().flatMap(Int.init) ?? runs
            default: throw BenchError("unknown option \(argument); usage: scan-bench message --database DIR --message FILE [--count N] [--runs R]")
            }
        }
        guard let database, let messagePath else { throw BenchError("--database and --message are required") }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: messagePath)))
        var config = ScanmilterConfig()
        config.scan.databaseDir = database
        // A repeated message would otherwise be a hash lookup in libclamav's clean cache.
        config.scan.disableCache = true
        config.scan.tempDir = NSTemporaryDirectory()
        var logger = Logger(label: "scan-bench")
        logger.logLevel = .warning
        let service = try FilterService.make(config: config, quarantine: nil, logger: logger)
        let pipeline = service.pipeline
        let message = MessageBytes(bytes)
        guard count > 0 else { return }

        var pipelineSamples: [BenchStatistics.Sample] = []
        var passSamples: [BenchStatistics.Sample] = []
        var stages: [StageTimings] = []
        for _ in 0..<runs {
            pipelineSamples.append(try BenchStatistics.measure {
                for _ in 0..<count {
                    let result = pipeline.evaluate(message, truncated: false, queueID: "")
                    guard result.findings.scan == .clean else { throw BenchError("the message was not clean: \(result.findings.scan)") }
                    stages.append(result.timings)
                }
            })
            passSamples.append(BenchStatistics.measure {
                for _ in 0..<count { _ = pipeline.scanner.backend.scan(message: message, decodingMail: true) }
            })
        }
        let perMessage = { (samples: [BenchStatistics.Sample], key: KeyPath<BenchStatistics.Sample, Double>) in
            BenchStatistics.median(samples.map { $0[keyPath: key] }) / Double(count) * 1000
        }
        let stage = { (key: KeyPath<StageTimings, Double>) in BenchStatistics.median(stages.map { $0[keyPath: key] }) }
        let f = BenchStatistics.format
        print("message: \(bytes.count) bytes, \(count) evaluations per run, \(runs) runs (medians; libclamav cache off)")
        print("| per message | CPU ms | wall ms |")
        print("| --- | ---: | ---: |")
        print("| scanmilter pipeline (parse, types, rules, scans, policy) | \(f(perMessage(pipelineSamples, \.cpu), 3)) | \(f(perMessage(pipelineSamples, \.wall), 3)) |")
        print("| one libclamav pass over the message, mail decoding on | \(f(perMessage(passSamples, \.cpu), 3)) | \(f(perMessage(passSamples, \.wall), 3)) |")
        print("stages (wall ms, median): parse \(f(stage(\.parse), 3)), types \(f(stage(\.types), 3)), scan \(f(stage(\.scan), 3)), policy \(f(stage(\.policy), 3))")
    }
}
