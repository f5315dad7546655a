import Logging
import Synchronization

/// A log handler that keeps every line (message, then sorted `key=value` metadata), so tests
/// can check what an operator would read.
final class LogRecorder: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    /// Every line logged so far.
    var messages: [String] { lines.withLock { $0 } }

    /// A logger writing to this recorder.
    var logger: Logger { Logger(label: "test.recorder") { _ in self } }

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
