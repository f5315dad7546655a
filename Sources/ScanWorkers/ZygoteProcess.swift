#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The milter's handle on its zygote: the process and the control channel to it.
struct ZygoteProcess: ~Copyable {
    let process: Process
    let control: WorkerChannel
    var info: IsolatedScanBackend.EngineInfo

    var pid: Int32 { process.processIdentifier }

    /// Starts the zygote with its end of the control socket as standard input and waits for
    /// its first INFO, sent once the signatures are loaded.
    static func start(_ configuration: IsolatedScanBackend.Configuration, logger: Logger) throws(WorkerError) -> ZygoteProcess {
        let (milterEnd, zygoteEnd) = try WorkerChannel.pair()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: configuration.executable)
        process.arguments = configuration.arguments
        if let environment = configuration.environment { process.environment = environment }
        process.standardInput = FileHandle(fileDescriptor: zygoteEnd.descriptor, closeOnDealloc: false)
        do {
            try process.run()
        } catch {
            throw WorkerError(.io, "cannot start the scan zygote \(configuration.executable): \(error)")
        }
        zygoteEnd.close()
        let first: String
        do {
            first = try milterEnd.receive(until: .now + configuration.loadTimeout).text
        } catch {
            if error.code == .timeout { process.terminate() }
            process.waitUntilExit()
            throw WorkerError(.engine, "the scan zygote stopped before loading the signatures (exit status \(process.terminationStatus)); its log lines say why")
        }
        guard let info = Self.parseInfo(first) else {
            process.terminate()
            throw WorkerError(.engine, "the scan zygote answered \"\(first.prefix(200))\"")
        }
        return ZygoteProcess(process: process, control: milterEnd, info: info)
    }

    /// Asks for a worker: its process id and the milter's end of its socket.
    mutating func fork() throws(WorkerError) -> (Int32, WorkerChannel) {
        try control.send("FORK")
        let reply = try control.receive(until: .now + .seconds(30))
        let fields = reply.text.split(separator: "\t").map(String.init)
        guard fields.first == "WORKER", fields.count == 2, let pid = Int32(fields[1]), let descriptor = reply.descriptor else {
            if let descriptor = reply.descriptor { close(descriptor) }
            throw WorkerError(.engine, "the scan zygote could not fork a worker: \(reply.text.prefix(200))")
        }
        return (pid, WorkerChannel(descriptor: descriptor))
    }

    /// How a worker ended, as the zygote saw it.
    func status(of pid: Int32) throws(WorkerError) -> String {
        try control.send("STATUS\t\(pid)")
        return try control.receive(until: .now + .seconds(10)).text
    }

    /// Reloads the signatures in the zygote.
    mutating func reload(timeout: Duration) throws(WorkerError) -> IsolatedScanBackend.EngineInfo {
        try control.send("RELOAD")
        let reply = try control.receive(until: .now + timeout).text
        guard let info = Self.parseInfo(reply) else {
            throw WorkerError(.engine, String(reply.split(separator: "\t", maxSplits: 1).last ?? "reload failed"))
        }
        self.info = info
        return info
    }

    func stop() {
        control.close()
    }

    static func parseInfo(_ line: String) -> IsolatedScanBackend.EngineInfo? {
        let fields = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, fields[0] == "INFO" else { return nil }
        return IsolatedScanBackend.EngineInfo(
            version: Int(fields[1]), buildTime: Double(fields[2]).map(Date.init(timeIntervalSince1970:)), description: fields[3])
    }
}
