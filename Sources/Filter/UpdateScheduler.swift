import Foundation
import Logging
import Sockets

/// Runs `scanmilterctl update` every `[update] interval`, as a child process: libfreshclam
/// changes the whole process's working directory and keeps global state, so it must never run
/// inside the scanning daemon. The update asks the daemon to reload
/// through the control socket when it installed something.
final class UpdateScheduler: Sendable {
    private let interval: Double
    private let command: [String]
    private let logger: Logger
    private let job: BackgroundJob

    /// - Parameters:
    ///   - interval: seconds between updates (0: never).
    ///   - configPath: the configuration the daemon was started with, handed to the update.
    init(interval: Double, configPath: String, logger: Logger) throws {
        self.interval = interval
        let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("scanmilterctl").path
        self.command = [tool, "update", "--config", configPath, "--json"]
        self.logger = logger
        job = try BackgroundJob(name: "update scheduler", logger: logger)
    }

    func start() {
        guard interval > 0 else { return }
        guard FileManager.default.isExecutableFile(atPath: command[0]) else {
            logger.error("[update] interval is set but scanmilterctl is not beside scanmilter; no scheduled updates",
                         metadata: ["path": "\(command[0])"])
            return
        }
        job.start { [self] stop in
            while !stop.wait(for: .seconds(interval)) { runOnce() }
        }
    }

    /// Stops scheduling; an update already running finishes on its own (it is a separate
    /// process that installs atomically), the daemon does not wait for it.
    func stop() {
        job.stop(waitingUpTo: .seconds(1))
    }

    private func runOnce() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            logger.error("scheduled update could not start", metadata: ["error": "\(error)"])
            return
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        if process.terminationStatus == 0 {
            logger.info("scheduled update done", metadata: ["update.result": "\(text)"])
        } else {
            logger.error("scheduled update failed; the installed signatures stay",
                         metadata: ["update.exit": "\(process.terminationStatus)", "update.result": "\(text)"])
        }
    }
}
