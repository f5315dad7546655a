import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `scanmilterctl update` and `status`, run as the built binary against a private mirror on
/// 127.0.0.1 (each run is its own process, as libfreshclam requires).
@Suite struct UpdateCommandTests {
    @Test func helpDocumentsEveryExitCode() throws {
        let run = try UpdateCLIFixture(mirror: false).run(["update", "--help"])
        #expect(run.status == 0)
        for code in ["0 ", "65", "66", "73", "74", "75", "78", "Already current"] {
            #expect(run.output.contains(code), "help lacks \(code)")
        }
    }

    @Test func updateInstallsAndSaysTheDaemonIsNotRunning() throws {
        let fixture = try UpdateCLIFixture()

        let run = try fixture.run(["update", "--config", fixture.config])

        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("updated (test 6)"))
        #expect(run.output.contains("daemon not running"))
        let status = fixture.json(try fixture.run(["status", "--json", "--config", fixture.config]))
        let database = status["database"] as? [String: Any]
        let versions = (database?["databases"] as? [[String: Any]])?.compactMap { $0["version"] as? Int }
        #expect(versions == [6])
        #expect((status["daemon"] as? [String: Any])?["running"] as? Bool == false)
    }

    @Test func secondUpdateIsAlreadyCurrentAndExitsZero() throws {
        let fixture = try UpdateCLIFixture()
        _ = try fixture.run(["update", "--config", fixture.config])

        let run = try fixture.run(["update", "--json", "--config", fixture.config])

        #expect(run.status == 0)
        #expect(fixture.json(run)["outcome"] as? String == "current")
    }

    @Test func daemonIsAskedToReloadAndItsAnswerIsShown() throws {
        let fixture = try UpdateCLIFixture()
        let daemon = try FakeControlSocket(path: fixture.controlSocket, reply: "OK reloaded test 6, 14 signatures")

        let run = try fixture.run(["update", "--json", "--config", fixture.config])

        #expect(run.status == 0, "\(run.error)")
        let answer = fixture.json(run)["daemon"] as? [String: Any]
        #expect(answer?["state"] as? String == "reloaded")
        #expect(answer?["message"] as? String == "reloaded test 6, 14 signatures")
        #expect((try? String(contentsOfFile: fixture.controlSocket + ".log", encoding: .utf8)) == "reload\n")
        withExtendedLifetime(daemon) {}
    }

    @Test func daemonThatRefusesTheReloadMakesTheUpdateExit75() throws {
        let fixture = try UpdateCLIFixture()
        let daemon = try FakeControlSocket(path: fixture.controlSocket, reply: "ERR cannot allocate the new engine")

        let run = try fixture.run(["update", "--config", fixture.config])

        #expect(run.status == 75)
        #expect(run.output.contains("daemon did not reload: cannot allocate the new engine"))
        withExtendedLifetime(daemon) {}
    }

    @Test func mirrorDownIsOneLineOnStandardErrorAndExit75() throws {
        let fixture = try UpdateCLIFixture(mirror: false)
        let before = FileManager.default.contents(atPath: fixture.database + "/test.cvd")

        let run = try fixture.run(["update", "--config", fixture.config])

        #expect(run.status == 75)
        #expect(run.error.hasPrefix("scanmilterctl: mirror unavailable"))
        #expect(run.error.contains("127.0.0.1:9"))
        #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
        #expect(run.output.isEmpty)
        #expect(FileManager.default.contents(atPath: fixture.database + "/test.cvd") == before)
    }

    @Test func rollbackWithoutAPreviousSetExits66() throws {
        let fixture = try UpdateCLIFixture(mirror: false)
        let run = try fixture.run(["update", "--rollback", "--json", "--config", fixture.config])
        #expect(run.status == 66)
        #expect((fixture.json(run)["error"] as? [String: Any])?["code"] as? String == "no-previous-set")
    }

    @Test(arguments: ["1s", "soon", "0", "5m3x"])
    func badEveryDurationIsAUsageError(_ duration: String) throws {
        let fixture = try UpdateCLIFixture(mirror: false)
        let run = try fixture.run(["update", "--every", duration, "--config", fixture.config])
        #expect(run.status == 64)
    }

    @Test func brokenConfigurationExits78() throws {
        let fixture = try UpdateCLIFixture(mirror: false)
        try Data("[update\n".utf8).write(to: URL(fileURLWithPath: fixture.config))
        #expect(try fixture.run(["update", "--config", fixture.config]).status == 78)
        #expect(try fixture.run(["status", "--config", fixture.config]).status == 78)
    }

    @Test func everyUpdatesAtOnceAndKeepsRunning() throws {
        let fixture = try UpdateCLIFixture()
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: UpdateCLIFixture.binary)
        loop.arguments = ["update", "--every", "1h", "--config", fixture.config]
        loop.standardOutput = FileHandle.nullDevice
        loop.standardError = FileHandle.nullDevice
        try loop.run()
        defer {
            kill(loop.processIdentifier, SIGKILL)
            loop.waitUntilExit()
        }
        let state = fixture.database + "/.scanmilter/state.json"
        var outcome: String?
        for _ in 0..<200 where outcome == nil {
            usleep(50_000)
            let object = FileManager.default.contents(atPath: state).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            outcome = object?["outcome"] as? String
        }

        #expect(outcome == "updated")
        #expect(loop.isRunning)
    }
}
