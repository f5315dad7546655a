import Foundation
import Glibc

/// `[notify] command`: a program run for each notified message, the safe way clamd's
/// `VirusEvent` was not (CVE-2024-20328: a file name reached a shell). The program is named by
/// an absolute path and started directly (no shell, no PATH search) with exactly the configured
/// arguments and a fixed environment; the verdict reaches it only as one JSON object on standard
/// input. Its output is read up to a bound, and it is killed when it outlives its time.
struct HookCommand: Sendable {
    /// The program and its arguments, from the configuration only.
    let argv: [String]
    /// How long it may run.
    let timeout: Duration
    /// Bytes of its output kept for the log; past `outputLimit` in all, its pipe is closed.
    static let keptOutput = 2048
    static let outputLimit = 65536
    /// The environment it runs with: nothing from the message, nothing from the daemon's.
    static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]

    /// How one run ended.
    struct Outcome: Sendable, Equatable {
        enum Ending: Sendable, Equatable {
            case exited(Int32)
            case signalled(Int32)
            /// Killed after `timeout`.
            case killed
            /// Could not be started.
            case notStarted(String)
        }

        var ending: Ending
        /// The start of what it wrote to stdout and stderr.
        var output: String

        var succeeded: Bool { ending == .exited(0) }
    }

    /// Runs the command with `input` on its standard input (from an unlinked temporary file in
    /// `temporaryDirectory`, so a program that does not read cannot block the writer).
    func run(input: [UInt8], temporaryDirectory: String) -> Outcome {
        guard let program = argv.first else { return Outcome(ending: .notStarted("no command"), output: "") }
        let stdin: FileHandle
        do {
            stdin = try Self.unlinkedFile(with: input, in: temporaryDirectory)
        } catch {
            return Outcome(ending: .notStarted("cannot write its input: \(error)"), output: "")
        }
        defer { try? stdin.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(argv.dropFirst())
        process.environment = Self.environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            return Outcome(ending: .notStarted("\(error)"), output: "")
        }
        // Our copy of the write end must go, or the pipe never reaches end of file.
        try? output.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + timeout
        let kept = Self.read(output.fileHandleForReading.fileDescriptor, until: deadline)
        try? output.fileHandleForReading.close()
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            // Foundation starts the program in a process group of its own: kill the group, so a
            // program it started (still holding the output pipe) goes too. Foundation counts a
            // child as running until its pipes close, so nothing has reaped the pid yet.
            let pid = process.processIdentifier
            kill(getpgid(pid) == pid ? -pid : pid, SIGKILL)
            process.waitUntilExit()
            return Outcome(ending: .killed, output: kept)
        }
        process.waitUntilExit()
        let ending: Outcome.Ending = process.terminationReason == .exit
            ? .exited(process.terminationStatus) : .signalled(process.terminationStatus)
        return Outcome(ending: ending, output: kept)
    }

    /// Reads `descriptor` until end of file, `outputLimit` bytes or `deadline`; keeps the first
    /// `keptOutput` bytes as text.
    private static func read(_ descriptor: Int32, until deadline: ContinuousClock.Instant) -> String {
        var kept: [UInt8] = []
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while total < outputLimit {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            total += count
            if kept.count < keptOutput { kept += chunk[0..<min(count, keptOutput - kept.count)] }
        }
        return String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    private static func unlinkedFile(with bytes: [UInt8], in directory: String) throws -> FileHandle {
        var template = Array("\(directory)/scanmilter-hook.XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw FileError(description: String(cString: strerror(errno))) }
        template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                close(descriptor)
                throw FileError(description: String(cString: strerror(errno)))
            }
            offset += written
        }
        lseek(descriptor, 0, SEEK_SET)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
