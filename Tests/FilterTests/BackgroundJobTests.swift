@testable import Filter
import Foundation
import Logging
import Synchronization
import Testing

/// The job type every background thread of the daemon runs on: stop wakes it at once, and a
/// job that dies says so in the log.
@Suite struct BackgroundJobTests {
    /// Keeps every log message, for tests that check what was logged.
    final class Recorder: LogHandler, Sendable {
        private let lines = Mutex<[String]>([])
        var messages: [String] { lines.withLock { $0 } }

        var metadata: Logger.Metadata {
            get { [:] }
            set {}
        }
        var logLevel: Logger.Level {
            get { .trace }
            set {}
        }
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { nil }
            set {}
        }

        func log(event: LogEvent) {
            let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.withLock { $0.append(([event.message.description] + metadata).joined(separator: " ")) }
        }
    }

    @Test func stopWakesAJobInTheMiddleOfAnHourLongWait() throws {
        let job = try BackgroundJob(name: "sleeper", logger: Logger(label: "test"))
        let woke = Atomic<Bool>(false)
        job.start { stop in woke.store(stop.wait(for: .seconds(3600)), ordering: .releasing) }
        let started = ContinuousClock.now
        job.stop()
        #expect(ContinuousClock.now - started < .seconds(10))
        let wokeByStop = woke.load(ordering: .acquiring)
        #expect(wokeByStop)
    }

    @Test func aJobThatThrowsOrReturnsOnItsOwnIsLogged() throws {
        let recorder = Recorder()
        let logger = Logger(label: "test") { _ in recorder }
        struct Broken: Error, CustomStringConvertible { var description: String { "listener closed" } }
        let dying = try BackgroundJob(name: "dying", logger: logger)
        dying.start { _ in throw Broken() }
        let quitting = try BackgroundJob(name: "quitting", logger: logger)
        quitting.start { _ in }
        let deadline = ContinuousClock.now + .seconds(30)
        while recorder.messages.count < 2, ContinuousClock.now < deadline { usleep(10_000) }
        #expect(recorder.messages.contains("background job died error=listener closed job=dying"))
        #expect(recorder.messages.contains("background job ended on its own job=quitting"))
        dying.stop()
        quitting.stop()
        #expect(recorder.messages.count == 2)
    }

    @Test func aStoppedJobIsNotReportedAsDead() throws {
        let recorder = Recorder()
        let job = try BackgroundJob(name: "worker", logger: Logger(label: "test") { _ in recorder })
        job.start { stop in _ = stop.wait(for: .seconds(3600)) }
        job.stop()
        #expect(recorder.messages.isEmpty)
    }
}
