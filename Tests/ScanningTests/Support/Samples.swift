import Foundation

/// Small files that trip libclamav's heuristics, made by the tests (or taken from Debian's
/// clamav-testfiles, which scripts/install-deps.sh installs).
enum Samples {
    /// Runs a tool and fails the test with its output if it does not exit 0.
    static func run(_ tool: String, _ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SampleError(message: "\(tool) \(arguments): \(String(decoding: output, as: UTF8.self))")
        }
    }

    /// A zip of `name` holding `contents`, optionally encrypted with `password` (`zip -P`).
    static func zip(_ contents: [UInt8], name: String = "eicar.com", password: String? = nil, in directory: URL) throws -> [UInt8] {
        let work = directory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try Data(contents).write(to: work.appendingPathComponent(name))
        try run("zip", ["-q"] + (password.map { ["-P", $0] } ?? []) + ["out.zip", name], in: work)
        return Array(try Data(contentsOf: work.appendingPathComponent("out.zip")))
    }

    /// ClamAV's harmless test executable `clam.exe` with its section count set to zero, which
    /// libclamav calls a broken executable.
    static func brokenExecutable() throws -> [UInt8] {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "/usr/share/clamav-testfiles/clam.exe")))
        // e_lfanew (offset 0x3c) locates the PE header; NumberOfSections is 6 bytes into it.
        let pe = Int(bytes[0x3c]) | Int(bytes[0x3d]) << 8
        bytes[pe + 6] = 0
        bytes[pe + 7] = 0
        return bytes
    }

    /// Text with four valid test credit card numbers (libclamav's default minimum is three).
    static let creditCards = Array(
        "Card numbers: 4111111111111111, 5500000000000004, 340000000000009 and 4012888888881881.\n".utf8)

    /// A message whose HTML link shows an https URL of a listed bank domain but points elsewhere.
    static let phishingMessage = Array("""
        From: a@example.org\r
        To: b@example.org\r
        Subject: account\r
        MIME-Version: 1.0\r
        Content-Type: text/html; charset=us-ascii\r
        \r
        <html><body><a href="http://evil.example.net/login">https://www.mybank.example.com/login</a></body></html>\r

        """.utf8)

    /// A phishing database entry (`.pdb`) that protects the domain `phishingMessage` imitates.
    static let phishingDatabase = "H:mybank.example.com\n"

    /// Failure to make a sample.
    struct SampleError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
