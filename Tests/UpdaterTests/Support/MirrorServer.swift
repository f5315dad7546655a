import Foundation
import Sockets
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP server on 127.0.0.1: `python3 -m http.server` serving a folder, started as a
/// child process on a free port and stopped when the value goes away. Its request log is kept
/// so tests can see which files libfreshclam fetched.
final class MirrorServer {
    let directory: String
    let port: UInt16
    private let process: Process
    private let logFile: String

    var url: String { "http://127.0.0.1:\(port)" }

    /// Serves `directory` with `python3 -m http.server`, or with `script` (a Python program
    /// taking the port and the folder as arguments) when given.
    init(directory: String, script: String? = nil) throws {
        self.directory = directory
        self.logFile = directory + ".requests.log"
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = script.map { ["python3", "-c", $0, "\(port)", directory] }
                ?? ["python3", "-m", "http.server", "--bind", "127.0.0.1", "\(port)", "--directory", directory]
            let log = FileHandle(forWritingAtPath: logFile)
            process.standardError = log
            process.standardOutput = log
            try process.run()
            if Self.waitUntilListening(port: port, process: process) {
                self.port = port
                self.process = process
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = TestFailure("http.server did not start on port \(port)")
        }
        throw lastError ?? TestFailure("http.server did not start")
    }

    deinit {
        // SIGKILL: the child inherits the test runner's blocked signals, so SIGTERM may never land.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logFile)
    }

    /// The server's log so far.
    func log() -> String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    /// The paths requested so far, in order (from the server's access log).
    func requestedPaths() -> [String] {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let start = line.range(of: "\"GET ") else { return nil }
            return line[start.upperBound...].split(separator: " ").first.map(String.init)
        }
    }

    private static func waitUntilListening(port: UInt16, process: Process) -> Bool {
        for _ in 0..<100 {
            if !process.isRunning { return false }
            if canConnect(port: port) { return true }
            usleep(50_000)
        }
        return false
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freePort() throws -> UInt16 {
    let listener = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
    defer { listener.close() }
    return UInt16(listener.port)
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func canConnect(port: UInt16) -> Bool {
    (try? Socket.connect(to: .tcp(host: "127.0.0.1", port: port, family: .ipv4), until: .now + .seconds(1))) != nil
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
