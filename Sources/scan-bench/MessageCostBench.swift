import Foundation
import Logging
import MIME
import Scanning

/// The clean-mail cost of MessageScanner (MIME parse included) against one whole-message scan
/// with libclamav's own mail parser, on generated clean messages with attachments.
enum MessageCostBench {
    static func run(database: String, work: URL, runs: Int) throws {
        // 16 attachments of 256 KiB (text, HTML, binary, zip), two per message: 8 messages of ~0.7 MB.
        let files = try BenchCorpus.writeFiles(in: work.appendingPathComponent("attachments"), totalBytes: 4 << 20)
        let messages = try stride(from: 0, to: files.count, by: 2).map { index in
            try BenchCorpus.message(attaching: Array(files[index..<min(index + 2, files.count)]))
        }
        let megabytes = Double(messages.reduce(0) { $0 + $1.count }) / 1_048_576
        var logger = Logger(label: "scan-bench")
        logger.logLevel = .warning

        // A fresh backend for every measured pass: libclamav caches clean results by hash, which
        // would let one pass profit from another's scans of the same attachments.
        func fresh() throws -> ClamAVBackend {
            try ClamAVBackend(settings: .init(databaseDirectory: database), logger: logger)
        }
        var whole: [BenchStatistics.Sample] = []
        var parse: [BenchStatistics.Sample] = []
        var strategies: [MessageScanner.Strategy: [BenchStatistics.Sample]] = [:]
        for _ in 0..<runs {
            let backend = try fresh()
            whole.append(try BenchStatistics.measure {
                for message in messages where backend.scan(message[...]) != .clean {
                    throw BenchError("a generated message was not clean")
                }
            })
            parse.append(BenchStatistics.measure {
                for message in messages { _ = MIMEParser().parse(message) }
            })
            for strategy in MessageScanner.Strategy.allCases {
                let scanner = MessageScanner(backend: try fresh(), strategy: strategy)
                strategies[strategy, default: []].append(try BenchStatistics.measure {
                    for message in messages where scanner.scan(MIMEParser().parse(message)).verdict != .clean {
                        throw BenchError("a generated message was not clean (\(strategy.rawValue))")
                    }
                })
            }
        }
        let cpu = { (samples: [BenchStatistics.Sample]) in BenchStatistics.median(samples.map(\.cpu)) }
        let wall = { (samples: [BenchStatistics.Sample]) in BenchStatistics.median(samples.map(\.wall)) }
        let reference = cpu(whole)
        let f = BenchStatistics.format
        print("\nclean mail: \(messages.count) messages, \(f(megabytes, 1)) MB, each a text+HTML body and 2 base64 attachments")
        print("| per message set | CPU s | wall s | cost vs one whole-message scan (CPU) |")
        print("| --- | ---: | ---: | ---: |")
        print("| one whole-message libclamav scan (reference) | \(f(reference, 3)) | \(f(wall(whole), 3)) | 1.00 |")
        print("| MIME parse only | \(f(cpu(parse), 3)) | \(f(wall(parse), 3)) | \(f(cpu(parse) / reference, 2)) |")
        for strategy in MessageScanner.Strategy.allCases {
            let samples = strategies[strategy] ?? []
            print("| MessageScanner \(strategy.rawValue) (parse + scans) | \(f(cpu(samples), 3)) | \(f(wall(samples), 3)) | \(f(cpu(samples) / reference, 2)) |")
        }
    }
}
