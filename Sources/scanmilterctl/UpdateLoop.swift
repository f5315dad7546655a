import ArgumentParser
import Foundation

/// `update --every DURATION`: runs `scanmilterctl update` now and then once per interval, each
/// round in a child process of its own (libfreshclam's global state and working directory
/// never carry over, and an edited configuration is read again). Meant as a container's side
/// process; a failed round is reported and the loop goes on.
struct UpdateLoop {
    let interval: UpdateInterval
    /// The arguments of one round, e.g. `update --config FILE`.
    let arguments: [String]

    func run() throws -> Never {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        while true {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            do {
                try process.run()
                process.waitUntilExit()
                if process.terminationStatus != 0 {
                    UpdateOutput.error("update round failed with exit status \(process.terminationStatus); next try in \(interval.seconds) s")
                }
            } catch {
                throw CLIFailure("cannot start an update round: \(error)", code: .tempFail)
            }
            sleep(UInt32(clamping: interval.seconds))
        }
    }
}
