@testable import Filter
import Foundation
import Logging
import Milter
import Sockets
import Testing

/// The watchdog tells systemd the daemon is alive only after checking it: the milter's
/// listening socket is still open in this process, and the engine still scans.
@Suite struct WatchdogTests {
    @Test func theCheckPassesOnlyWhileTheMilterSocketListens() throws {
        let (service, dir) = try ScanSessionTests.service()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/milter.sock"
        let watchdog = try Watchdog(
            notifier: SystemdNotifier(environment: [:]), socket: try SocketSpec("unix:\(path)"), scanner: service.scanner,
            logger: Logger(label: "test"))

        #expect(watchdog.check()?.contains("no longer listening") == true)
        let listener = try Listener(.unix(path: path))
        #expect(watchdog.check() == nil)
        listener.close()
        #expect(watchdog.check()?.contains("no longer listening") == true)
    }

    @Test func watchdogUsecForAnotherProcessIsIgnored() {
        let ours = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(ours.watchdogInterval == .seconds(30))
        let theirs = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"])
        #expect(theirs.watchdogInterval == nil)
        #expect(!SystemdNotifier(environment: [:]).isEnabled)
    }
}
