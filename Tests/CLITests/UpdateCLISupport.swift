import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `scanmilterctl update`/`status` against a database folder, a private mirror
/// (`python3 -m http.server` on 127.0.0.1) and a config file naming them, all in a temporary
/// folder removed at the end. ClamAV's signed test databases are read in place from
/// `.cache/clamav-test-cvd`, where `scripts/test-cvd/fetch.sh` puts them (or `SCANMILTER_TEST_CVD_DIR`).
final class UpdateCLIFixture {
    let root: String
    var database: String { root + "/db" }
    var config: String { root + "/scanmilter.toml" }
    var controlSocket: String { root + "/control.sock" }
    private var mirrorProcess: Process?
    private(set) var mirrorURL = ""

    /// What one run printed and how it exited.
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: String { packageRoot.appendingPathComponent(".build/debug/scanmilterctl").path }

    static var fixtures: String {
        if let override = ProcessInfo.processInfo.environment["SCANMILTER_TEST_CVD_DIR"], !override.isEmpty {
            return override
        }
        return packageRoot.appendingPathComponent(".cache/clamav-test-cvd").path
    }

    /// Installs test database `installed` and serves `served` (with its cdiffs) on a mirror;
    /// `mirror: false` points the config at a closed port instead.
    init(installed: Int = 3, served: Int = 6, mirror: Bool = true) throws {
        var template = Array((NSTemporaryDirectory() + "/update-cli.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        root = String(cString: made)
        try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/mirror", withIntermediateDirectories: true)
        try copy("test-\(installed).cvd", to: database + "/test.cvd")
        try copy("test-\(served).cvd", to: root + "/mirror/test.cvd")
        for patch in 2...served { try copy("test-\(patch).cdiff", to: root + "/mirror/test-\(patch).cdiff") }
        mirrorURL = mirror ? try startMirror() : "http://127.0.0.1:9"
        let text = """
            [scan]
            database_dir = "\(database)"
            [milter]
            control_socket = "\(controlSocket)"
            [update]
            databases = ["test"]
            private_mirror = ["\(mirrorURL)"]
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
    }

    deinit {
        if let mirrorProcess {
            kill(mirrorProcess.processIdentifier, SIGKILL)
            mirrorProcess.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs `scanmilterctl ARGUMENTS` to completion.
    func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        let outputFile = root + "/stdout.\(UUID().uuidString)"
        let errorFile = root + "/stderr.\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outputFile)
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            output: (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "",
            error: (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "")
    }

    /// A JSON object printed by `--json`.
    func json(_ run: Run) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? [:]
    }

    private func copy(_ name: String, to target: String) throws {
        let source = Self.fixtures + "/" + name
        guard FileManager.default.fileExists(atPath: source) else {
            throw CLITestFailure("ClamAV test database \(source) is missing: run scripts/test-cvd/fetch.sh or set SCANMILTER_TEST_CVD_DIR")
        }
        try FileManager.default.copyItem(atPath: source, toPath: target)
    }

    private func startMirror() throws -> String {
        for _ in 0..<5 {
            let port = UInt16.random(in: 20_000...60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.1", "\(port)", "--directory", root + "/mirror"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 where process.isRunning {
                if acceptsConnections(port: Int(port)) {
                    mirrorProcess = process
                    return "http://127.0.0.1:\(port)"
                }
                usleep(50_000)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        throw CLITestFailure("could not start python3 -m http.server")
    }
}

/// A stand-in for the daemon's control socket (the real daemon is exercised by the end-to-end
/// test): a python unix-socket server that answers every command line with `reply`.
final class FakeControlSocket {
    private let process: Process

    init(path: String, reply: String) throws {
        let script = """
            import socket, sys, os
            path, reply = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(4)
            while True:
                c, _ = s.accept(); data = b""
                while not data.endswith(b"\\n"):
                    chunk = c.recv(1024)
                    if not chunk: break
                    data += chunk
                with open(path + ".log", "ab") as log: log.write(data)
                c.sendall((reply + "\\n").encode()); c.close()
            """
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, reply]
        try process.run()
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: path) { usleep(20_000) }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct CLITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
