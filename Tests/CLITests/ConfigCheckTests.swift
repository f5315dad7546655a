import Foundation
import Testing

/// `scanmilter --check --config FILE` as an administrator runs it after editing the file.
@Suite struct ConfigCheckTests {
    @Test func checkReportsEveryMistakeInTheFileWithItsLineAndExits78() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("config-check-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("scanmilter.toml").path
        try Data("""
            [milter]
            backlog = 128
            [scan]
            max_message_size = "lots"
            [policy]
            skip_authenticatd = true
            [headers]
            add_status = "maybe"
            """.utf8).write(to: URL(fileURLWithPath: file))
        let run = try BuiltTool("scanmilter").run(["--check", "--config", file], environment: [:])
        #expect(run.status == 78)
        let lines = run.err.split(separator: "\n").map(String.init)
        #expect(lines == [
            "scanmilter: \(file):4: [scan] max_message_size: expected a size such as 25MB or 1048576, got a string \"lots\"",
            "scanmilter: \(file):6: [policy] skip_authenticatd: unknown key 'skip_authenticatd'; did you mean 'skip_authenticated'?",
            "scanmilter: \(file):8: [headers] add_status: expected true or false, got a string \"maybe\"",
        ], "\(run.err)")
    }
}
