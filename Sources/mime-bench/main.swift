// mime-bench: throughput of the MIME parser on a corpus, and a bounded-time mutation fuzzer.
//
//   mime-bench parse --corpus DIR [--corpus DIR ...]
//       parse every file and decode every leaf once; prints one line of figures in the same
//       format as scripts/mime/gmime-bench.c, so scripts/bench-mime.sh can set them side by side.
//   mime-bench fuzz --seconds N --corpus DIR [--out DIR] [--seed N]
//       mutate the corpus messages for N seconds; a crashing or hanging input is written to
//       --out (default: the current directory) before the process dies.
//
// Exit codes (sysexits): 0 done, 1 the fuzzer found a failure, 64 usage, 66 no input.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ScanmilterVersion

let usage = """
    usage: mime-bench parse --corpus DIR [--corpus DIR ...]
           mime-bench fuzz --seconds N --corpus DIR [--out DIR] [--seed N]
    """

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--version"] {
    print(ScanmilterVersion.current)
    exit(0)
}
guard let command = arguments.first, let options = BenchOptions(parsing: arguments.dropFirst()) else {
    printError(usage)
    exit(64)
}
switch command {
case "parse":
    exit(ParseBenchmark(options: options).run())
case "fuzz":
    exit(Fuzzer(options: options).run())
default:
    printError(usage)
    exit(64)
}
