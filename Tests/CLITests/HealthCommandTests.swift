import Foundation
import Testing

/// `scanmilterctl health` against the real daemon (the built `scanmilter` as a child process):
/// healthy while it runs, unhealthy with the reason once it is gone or when the socket it is
/// pointed at is not a milter.
@Suite(.serialized) struct HealthCommandTests {
    let ctl = BuiltTool("scanmilterctl")

    @Test func healthPassesWithTheDaemonUpAndFailsWithItDown() throws {
        let daemon = try HealthDaemonFixture()
        try daemon.start()
        let up = try ctl.run(["health", "--config", daemon.config])
        #expect(up.status == 0, "\(up.err)")
        #expect(up.out.contains("healthy: milter on \(daemon.milterSocket) negotiated (protocol 6)"))
        #expect(up.out.contains("engine loaded: "))

        daemon.stop()
        let down = try ctl.run(["health", "--config", daemon.config, "--timeout", "2"])
        #expect(down.status == 69)
        #expect(down.err.contains("unhealthy: milter on \(daemon.milterSocket) did not negotiate"))
    }

    @Test func aSocketThatOnlyAcceptsOrAMissingControlSocketIsUnhealthy() throws {
        let daemon = try HealthDaemonFixture()
        try daemon.start()
        defer { daemon.stop() }
        // The metrics port accepts TCP connections but speaks HTTP: connecting is not enough.
        let notMilter = try ctl.run([
            "health", "--config", daemon.config, "--socket", "inet:\(daemon.metricsPort)@127.0.0.1", "--timeout", "2",
        ])
        #expect(notMilter.status == 69)
        #expect(notMilter.err.contains("did not negotiate"))
        // The milter answers, but without the control socket nobody can vouch for the engine.
        let noControl = try ctl.run(["health", "--config", daemon.config, "--control-socket", daemon.root + "/nothing.sock"])
        #expect(noControl.status == 69)
        #expect(noControl.err.contains("unhealthy: control socket \(daemon.root)/nothing.sock"))
    }

    @Test func reloadsThroughTheControlSocketAreCountedInMetrics() throws {
        let daemon = try HealthDaemonFixture()
        try daemon.start()
        defer { daemon.stop() }
        let reload = try ctl.run(["reload", "--config", daemon.config])
        #expect(reload.status == 0, "\(reload.err)")
        let metrics = daemon.scrape()
        #expect(metrics.hasPrefix("HTTP/1.1 200 OK"))
        #expect(metrics.contains("\nscanmilter_reloads_total 1\n"))
        #expect(metrics.contains("\nscanmilter_reload_failures_total 0\n"))
        #expect(metrics.contains("\nscanmilter_engine_loaded 1\n"))
    }
}
