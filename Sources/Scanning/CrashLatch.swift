public import MIME
import Synchronization

/// A backend for one message that stops scanning once a scan of it killed a worker: every
/// further scan of that message answers the same verdict without running. A part that crashed
/// a parser is likely in the next piece scanned as well (the raw message holds every part), and
/// each scan would kill another worker and, for a hang, cost another full timeout.
public final class CrashLatch: ScanBackend {
    let backend: any ScanBackend
    private let crash = Mutex<ScanVerdict?>(nil)

    public init(_ backend: any ScanBackend) {
        self.backend = backend
    }

    public var databaseDescription: String { backend.databaseDescription }

    public func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        latched { backend.scan(bytes) }
    }

    public func scan(fileDescriptor: Int32) -> ScanVerdict {
        latched { backend.scan(fileDescriptor: fileDescriptor) }
    }

    public func scanRawMessage(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        latched { backend.scanRawMessage(bytes) }
    }

    public func scan(message: MessageBytes, decodingMail: Bool) -> ScanVerdict {
        latched { backend.scan(message: message, decodingMail: decodingMail) }
    }

    private func latched(_ scan: () -> ScanVerdict) -> ScanVerdict {
        if let verdict = crash.withLock({ $0 }) { return verdict }
        let verdict = scan()
        if case .unscannable(let reason) = verdict, reason.code == .workerCrashed {
            crash.withLock { $0 = $0 ?? verdict }
        }
        return verdict
    }
}
