import Foundation
import Testing

/// `scanmilterctl probe` against a real milter process (sample-milter over libmilter).
@Suite struct ProbeCommandTests {
    let ctl = BuiltTool("scanmilterctl")
    let sample = BuiltTool("sample-milter")

    @Test func probeShowsTheMiltersAnswerAndModifications() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let socket = "unix:\(dir.path)/milter.sock"
        let milter = try sample.start(["--socket", socket], ready: "listening on")
        defer { milter.terminate(); milter.waitUntilExit() }
        let message = dir.appendingPathComponent("m.eml")
        try "X-Sample-Action: addheader X-Probe yes\r\nX-Sample-Action: reply 550 5.7.1 no thanks\r\nSubject: p\r\n\r\nbody\r\n"
            .write(to: message, atomically: true, encoding: .utf8)

        let text = try ctl.run(["probe", "--socket", socket, "--from", "a@example.org", "--rcpt", "b@example.net", message.path])
        #expect(text.status == 0)
        #expect(text.out.contains("550 5.7.1 no thanks"))
        #expect(text.out.contains("X-Probe"))

        let json = try ctl.run(["probe", "--socket", socket, "--json", message.path])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(object?["stage"] as? String == "endOfMessage")
        #expect((object?["modifications"] as? [String])?.contains { $0.contains("X-Probe") } == true)
    }

    @Test func anUnreachableMilterExitsUnavailableAndABadSpecIsAUsageError() throws {
        let message = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString.prefix(8)).eml")
        try "Subject: x\r\n\r\nbody\r\n".write(to: message, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: message) }
        let down = try ctl.run(["probe", "--socket", "unix:/nonexistent/milter.sock", message.path])
        #expect(down.status == 69)
        #expect(down.err.contains("probe of unix:/nonexistent/milter.sock failed"))
        let bad = try ctl.run(["probe", "--socket", "inet:notaport@localhost", message.path])
        #expect(bad.status == 64)
        #expect(bad.err.contains("is not a socket spec"))
        let missing = try ctl.run(["probe", "--socket", "unix:/nonexistent/milter.sock", "/nonexistent/message.eml"])
        #expect(missing.status == 66)
    }
}
