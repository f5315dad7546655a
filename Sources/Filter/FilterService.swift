public import ScanmilterConfiguration
import FileMagic
import Dispatch
import Foundation
public import Logging
public import MIME
import Scanning
import Synchronization
public import Quarantine
import ScanmilterVersion

/// The scanning milter's shared part: configuration, the pipeline and the scanner, counters.
/// One per process; every connection's ``ScanSession`` refers to it. Everything here is
/// immutable or behind a lock, because libmilter calls back from a pool of worker threads.
public final class FilterService: Sendable {
    /// The configuration the service was built from.
    public let config: ScanmilterConfig
    /// Parse, detect, scan, decide.
    public let pipeline: Pipeline
    /// The scanner behind the pipeline (for reloads and database facts).
    public let scanner: ScannerHandle
    /// Where quarantined messages go; nil when no store is configured.
    public let quarantine: (any QuarantineSink)?
    /// The base logger; sessions add connection and message metadata.
    public let logger: Logger
    /// The host name the headers and notices name.
    public let hostname: String
    /// Bounds the messages parsed and scanned at once, and so the memory their decoded parts,
    /// mapped bodies and libclamav's temp files take, whatever the number of connections: by the
    /// cores for local work, by the clamd pool's capacity for scans sent to it.
    let admission: ScanAdmission

    /// Every count the daemon keeps, read by `/status` and by the Prometheus endpoint.
    public let metrics: Metrics
    /// Tells administrators (and, if asked, recipients, the sender and a hook) about stopped
    /// messages; nil when `[notify]` has nobody to tell.
    let notifier: Notifier?
    private let nextConnectionID = Atomic<UInt64>(1)

    /// A service without notifications (``make(config:quarantine:logger:)`` sets them up).
    public convenience init(
        config: ScanmilterConfig, pipeline: Pipeline, scanner: ScannerHandle, quarantine: (any QuarantineSink)?, logger: Logger
    ) {
        self.init(config: config, pipeline: pipeline, scanner: scanner, quarantine: quarantine, logger: logger, metrics: Metrics(), notifier: nil)
    }

    init(
        config: ScanmilterConfig, pipeline: Pipeline, scanner: ScannerHandle, quarantine: (any QuarantineSink)?,
        logger: Logger, metrics: Metrics, notifier: Notifier?
    ) {
        self.metrics = metrics
        self.notifier = notifier
        self.config = config
        self.pipeline = pipeline
        self.scanner = scanner
        self.quarantine = quarantine
        self.logger = logger
        self.hostname = config.headers.hostname.isEmpty ? Self.systemHostname() : config.headers.hostname
        var poolCapacity: (@Sendable () -> Int)?
        if let pool = scanner.clamd {
            poolCapacity = { pool.capacity }
        }
        self.admission = ScanAdmission.make(
            maxConcurrentScans: config.scan.maxConcurrentScans, cores: ProcessInfo.processInfo.activeProcessorCount,
            poolCapacity: poolCapacity)
    }

    /// A new session for a new connection (called on libmilter's threads).
    public func makeSession() -> ScanSession {
        let id = nextConnectionID.add(1, ordering: .relaxed).oldValue
        metrics.recordConnection()
        return ScanSession(service: self, connectionID: id)
    }

    /// What carries out one message's decision, with this service's settings and store.
    func decisionExecutor(logger: Logger) -> DecisionExecutor {
        DecisionExecutor(
            headers: config.headers, scannedHeaderValue: scannedHeaderValue, hostname: hostname,
            unscannableReply: config.reply.unscannable, quarantine: quarantine,
            databaseDescription: scanner.backend.databaseDescription, logger: logger)
    }

    /// `X-Virus-Scanned`: the product, the engine and signature version, and the host. A demo
    /// database (written by scripts/run.sh when no signatures could be fetched) says so.
    public var scannedHeaderValue: String {
        let signatures = isDemoDatabase ? "DEMO signatures (EICAR test file only)" : scanner.backend.databaseDescription
        return "scanmilter \(Self.version) with \(signatures) on \(hostname)"
    }

    /// The file a demo database consists of; its presence marks the signatures as a demo.
    public static let demoDatabaseFile = "scanmilter-demo.ndb"

    /// Whether the embedded engine runs on the demo database (checked per call: an update replaces it).
    public var isDemoDatabase: Bool {
        scanner.embedded != nil && access("\(config.scan.databaseDir)/\(Self.demoDatabaseFile)", F_OK) == 0
    }

    /// The product version named in headers and `--version`.
    public static let version = ScanmilterVersion.current

    static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Where the `quarantine` action keeps a message. The Quarantine module's store implements it;
/// a failure to store makes the message temp-fail, so Postfix keeps it and nothing is lost.
public protocol QuarantineSink: Sendable {
    /// Stores the message and its facts durably; returns the entry's id.
    func store(_ message: QuarantinedMessage) throws -> String
    /// Lists a message put in Postfix's hold queue (`hold` action), by queue id; returns the entry's id.
    func recordHold(_ message: QuarantinedMessage) throws -> String
    /// Applies `[quarantine] max_age` and `max_bytes`; returns a one-line summary.
    func applyRetention(maxAge: Double, maxBytes: Int) throws -> String
    /// Counts entries by status and the bytes stored, for the metrics endpoint.
    func stats() throws -> QuarantineStats
}

/// A message on its way into the quarantine.
public struct QuarantinedMessage: Sendable {
    /// The complete message as received (headers and body).
    public var raw: MessageBytes
    public var queueID: String
    public var clientAddress: String
    public var helo: String
    public var sender: String
    public var senderParameters: [String]
    public var recipients: [String]
    public var recipientParameters: [[String]]
    public var subject: String
    public var verdict: String
    public var names: [String]
    public var action: String
    public var databaseVersion: String
}
