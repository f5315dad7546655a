import Foundation

/// Runs Postfix's `postsuper` for hold-queue entries: `-H QUEUEID` releases, `-d QUEUEID hold`
/// deletes (postsuper(1)).
struct PostSuper {
    /// The binary.
    var path: String

    /// What a run produced.
    struct Result {
        var succeeded: Bool
        var output: String
    }

    /// Runs postsuper with `arguments`, after `-c configDirectory` when one is given.
    func run(_ arguments: [String], configDirectory: String?) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = (configDirectory.map { ["-c", $0] } ?? []) + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return Result(succeeded: false, output: "cannot run \(path): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let succeeded = process.terminationReason == .exit && process.terminationStatus == 0
        return Result(succeeded: succeeded, output: output.isEmpty ? "exit status \(process.terminationStatus)" : output)
    }

    /// Whether `text` can be a Postfix queue id (short hex form or long form): letters and
    /// digits only, so it can never be read as an option or a path by postsuper.
    static func isQueueID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
    }
}
