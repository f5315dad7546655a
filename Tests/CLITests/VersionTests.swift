import Foundation
import MilterClient
import Testing

/// One version number everywhere an administrator or a monitor meets it.
@Suite(.serialized) struct VersionTests {
    @Test func versionFlagStartLineBuildInfoAndScannedHeaderNameTheSameVersion() throws {
        let printed = try BuiltTool("scanmilter").run(["--version"])
        let version = printed.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.status == 0 && !version.isEmpty)

        let daemon = try HealthDaemonFixture()
        try daemon.start()
        defer { daemon.stop() }
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        let start = log.split(separator: "\n").first { $0.contains("scanmilter starting") }
        #expect(start?.contains("version=\(version)") == true, "the start line: \(start ?? "none")")
        #expect(daemon.scrape().contains("scanmilter_build_info{version=\"\(version)\"} 1"))

        let connection = try MilterConnection.open(try MilterSocketSpec(parsing: daemon.milterSocket))
        defer { connection.close() }
        let result = try connection.sendMessage(
            Array("Subject: hi\r\n\r\nhello\r\n".utf8), envelope: MilterEnvelope(sender: "a@example.org", recipients: [.init("b@example.org")]))
        let scanned = result.modifications.compactMap { modification -> String? in
            guard case .addHeader("X-Virus-Scanned", let value) = modification else { return nil }
            return value.trimmingCharacters(in: .whitespaces)
        }
        #expect(scanned.count == 1 && scanned[0].hasPrefix("scanmilter \(version) with "), "\(result.modifications)")
    }

    /// Every executable the package builds answers `--version` with the daemon's number.
    @Test(arguments: ["scanmilterctl", "sample-milter", "milter-load", "mime-bench", "scan-bench"])
    func everyExecutableAnswersVersionWithTheSameNumber(tool: String) throws {
        let daemon = try BuiltTool("scanmilter").run(["--version"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let printed = try BuiltTool(tool).run(["--version"])
        #expect(printed.status == 0)
        #expect(printed.out.trimmingCharacters(in: .whitespacesAndNewlines) == daemon, "\(tool): \(printed.out)")
    }
}
