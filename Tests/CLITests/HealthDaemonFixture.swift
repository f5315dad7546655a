import Foundation
import Sockets
#if canImport(Glibc)
import Glibc
#endif

/// The built `scanmilter` daemon running as a child process on sockets in a temporary folder
/// (milter on a unix socket, control socket, metrics on a free loopback port), with a one-line
/// EICAR signature database; stopped and removed at the end. As in scripts/e2e/postfix.sh.
final class HealthDaemonFixture {
    let root: String
    let metricsPort: Int
    var config: String { root + "/scanmilter.toml" }
    var milterSocket: String { "unix:" + root + "/milter.sock" }
    var controlSocket: String { root + "/control.sock" }
    var log: String { root + "/scanmilter.log" }
    /// The daemon's descriptor limit (`prlimit --nofile`), nil for the inherited one.
    let descriptorLimit: Int?
    /// Extra environment for the daemon (`NOTIFY_SOCKET`, `WATCHDOG_USEC`).
    var environment: [String: String] = [:]
    /// `[log] target`: the log file by default; `stderr` writes stderr to the log file.
    let logTarget: String
    private var process: Process?
    /// The running daemon's process id.
    var pid: Int32? { process?.processIdentifier }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    init(descriptorLimit: Int? = nil, logTarget: String? = nil, logLevel: String = "info") throws {
        self.descriptorLimit = descriptorLimit
        var template = Array((NSTemporaryDirectory() + "/health.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        root = String(cString: made)
        self.logTarget = logTarget ?? root + "/scanmilter.log"
        metricsPort = try freeLoopbackPort()
        try FileManager.default.createDirectory(atPath: root + "/db", withIntermediateDirectories: true)
        let hex = Array("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8).map { String(format: "%02x", $0) }.joined()
        try "Health.EICAR:0:*:\(hex)\n".write(toFile: root + "/db/health.ndb", atomically: true, encoding: .utf8)
        let text = """
            [milter]
            socket = "\(milterSocket)"
            control_socket = "\(controlSocket)"
            [scan]
            database_dir = "\(root)/db"
            temp_dir = "\(root)"
            reload_check_interval = 0
            [log]
            target = "\(self.logTarget)"
            level = "\(logLevel)"
            [metrics]
            listen = "127.0.0.1:\(metricsPort)"
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Starts the daemon and waits until `ready` (by default: its "scanmilter ready" log line).
    func start(ready: (() -> Bool)? = nil) throws {
        let process = Process()
        if let descriptorLimit {
            // prlimit execs the daemon in its own process: the pid stays the daemon's.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(descriptorLimit):\(descriptorLimit)", "--", BuiltTool("scanmilter").url.path, "--config", config]
        } else {
            process.executableURL = BuiltTool("scanmilter").url
            process.arguments = ["--config", config]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if logTarget == "stderr" {
            // Created only when missing: a test may have named this very file (its inode) already.
            if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
            process.standardError = FileHandle(forWritingAtPath: log)
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        let isReady = ready ?? { [log] in
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("scanmilter ready")
        }
        while ContinuousClock.now < deadline {
            if isReady() { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        stop()
        throw StartFailure(description: "scanmilter did not start: \(text)")
    }

    /// SIGTERM and wait.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// `GET /metrics` from the daemon, as text (empty when it does not answer).
    func scrape() -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        let request = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        guard let socket = try? Socket.connect(to: .tcp(host: "127.0.0.1", port: UInt16(metricsPort), family: .ipv4), until: deadline),
              (try? socket.write(request, until: deadline)) != nil
        else { return "" }
        return String(decoding: (try? socket.readToEnd(until: deadline)) ?? [], as: UTF8.self)
    }
}
