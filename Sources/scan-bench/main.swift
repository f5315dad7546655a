// scan-bench: benchmarks of the scanning layer, each printed beside a reference run in the same go.
//   scan-bench engine [options]   the embedded libclamav engine against clamscan (EngineBench)
//   scan-bench magic [options]    libmagic handle strategies: pool, per thread, one locked (MagicBench)
//   scan-bench clamd [options]    the clamd pool against a bare clamd client (ClamdBench)
//   scan-bench message [options]  the daemon's pipeline on one message against one libclamav pass (SmallMessageBench)
import Foundation
import ScanmilterVersion

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: scan-bench engine|magic|clamd|message [--help | options]"

do {
    switch arguments.first {
    case "engine":
        try EngineBench.run(Array(arguments.dropFirst()))
    case "magic":
        try MagicBench.run(Array(arguments.dropFirst()))
    case "clamd":
        try ClamdBench.run(Array(arguments.dropFirst()))
    case "message":
        try SmallMessageBench.run(Array(arguments.dropFirst()))
    case "--version":
        print(ScanmilterVersion.current)
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("scan-bench: \(error)\n".utf8))
    exit(1)
}
