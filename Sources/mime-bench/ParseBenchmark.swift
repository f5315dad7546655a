import MIME

/// `mime-bench parse`: one pass over the corpus, parsing each file and decoding every leaf.
struct ParseBenchmark {
    let options: BenchOptions

    /// Runs the pass and prints `files= bytes= decoded= parts= seconds= cpu_seconds= maxrss_kb=`.
    func run() -> Int32 {
        let files = corpusFiles(options.corpus)
        if files.isEmpty {
            printError("mime-bench: no files in \(options.corpus.joined(separator: " "))")
            return 66
        }
        let parser = MIMEParser()
        var bytes = 0
        var decoded = 0
        var parts = 0
        var parsedFiles = 0
        let cpuStart = cpuSeconds()
        let start = monotonicSeconds()
        for path in files {
            // Mapped, like the daemon's spooled messages: no copy of the whole message.
            guard let message = try? MessageBytes(mappingFile: path) else {
                printError("mime-bench: cannot map \(path)")
                continue
            }
            let parsed = parser.parse(message)
            for leaf in parsed.leaves {
                // Streamed in 64 KiB chunks and dropped, as gmime-bench writes to a null stream.
                decoded += leaf.decode { _ in }.size
                parts += 1
            }
            bytes += message.count
            parsedFiles += 1
        }
        let seconds = monotonicSeconds() - start
        let cpu = cpuSeconds() - cpuStart
        print("files=\(parsedFiles) bytes=\(bytes) decoded=\(decoded) parts=\(parts) "
            + "seconds=\(seconds) cpu_seconds=\(cpu) maxrss_kb=\(peakRSSKilobytes())")
        return 0
    }
}
