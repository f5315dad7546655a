// scan-bench: benchmarks of the scanning layer, each printed beside a reference run in the same go.
//   scan-bench engine [options]   the embedded libclamav engine against clamscan (EngineBench)
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: scan-bench engine [--help | options]"

do {
    switch arguments.first {
    case "engine":
        try EngineBench.run(Array(arguments.dropFirst()))
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("scan-bench: \(error)\n".utf8))
    exit(1)
}
