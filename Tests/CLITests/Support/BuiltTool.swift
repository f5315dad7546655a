import Foundation

/// One of the package's executables, as built next to the test bundle.
struct BuiltTool {
    let url: URL

    init(_ name: String) {
        url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: url.path) }

    /// Runs the tool to completion; returns its exit status, stdout and stderr.
    func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Starts the tool in the background and waits until a line of its stdout contains `ready`.
    func start(_ arguments: [String], ready: String, timeout: Duration = .seconds(20)) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        var seen = Data()
        let handle = out.fileHandleForReading
        while ContinuousClock.now < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
            if String(decoding: seen, as: UTF8.self).contains(ready) { return process }
        }
        process.terminate()
        throw StartFailure(output: String(decoding: seen, as: UTF8.self))
    }

    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "the tool did not become ready; it printed: \(output)" }
    }
}
