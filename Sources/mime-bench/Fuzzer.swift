#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MIME

/// `mime-bench fuzz`: parse mutated corpus messages for a fixed time, decoding every leaf of
/// every reading; a crash or hang leaves the input in `--out`.
struct Fuzzer {
    let options: BenchOptions
    /// Inputs are capped so a run's memory stays bounded; the limits tests cover larger ones.
    let maxInput = 4 << 20

    func run() -> Int32 {
        let seeds = corpusFiles(options.corpus).compactMap { readFile($0) }
        if seeds.isEmpty {
            printError("mime-bench: no seed messages in \(options.corpus.joined(separator: " "))")
            return 66
        }
        CrashCapture.install(directory: options.out, capacity: maxInput, hangSeconds: 10)
        var mutator = Mutator(random: SplitMix64(seed: options.seed), seeds: seeds, maxLength: maxInput)
        let parser = MIMEParser()
        let start = monotonicSeconds()
        let deadline = start + options.seconds
        var iterations = 0
        var inputBytes = 0
        var decodedBytes = 0
        var defects = 0
        var slowest = 0.0
        var nextReport = start + 10
        while monotonicSeconds() < deadline {
            let input = iterations < seeds.count ? seeds[iterations] : mutator.next()
            let began = monotonicSeconds()
            let (decoded, found) = CrashCapture.guarding(input) { exercise(parser, input) }
            let took = monotonicSeconds() - began
            slowest = max(slowest, took)
            iterations += 1
            inputBytes += input.count
            decodedBytes += decoded
            defects += found
            if began > nextReport {
                print("fuzz: \(iterations) inputs, \(Int(began - start)) s")
                nextReport += 10
            }
        }
        let seconds = monotonicSeconds() - start
        print("fuzz: iterations=\(iterations) seconds=\(Int(seconds)) execs_per_s=\(Int(Double(iterations) / seconds)) "
            + "input_mb=\(inputBytes / 1_000_000) decoded_mb=\(decodedBytes / 1_000_000) defects=\(defects) "
            + "slowest_ms=\(Int(slowest * 1000)) maxrss_kb=\(peakRSSKilobytes()) crashes=0")
        return 0
    }

    /// Everything the pipeline does with a message: parse, walk the tree, decode every leaf.
    private func exercise(_ parser: MIMEParser, _ input: [UInt8]) -> (Int, Int) {
        let parsed = parser.parse(MessageBytes(input))
        var decoded = 0
        for leaf in parsed.leaves + parsed.alternativeLeaves {
            decoded += leaf.decoded().count
            decoded += (leaf.filename?.utf8.count ?? 0) + (leaf.charset?.utf8.count ?? 0)
            decoded += leaf.contentType.mimeType.utf8.count
        }
        return (decoded, parsed.defects.count + parsed.allParts.count)
    }

    private func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes.count <= maxInput ? bytes : nil
    }
}
