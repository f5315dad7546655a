import ClamAV
public import ScanmilterConfiguration
import FileMagic
import Foundation
import Glibc
public import Logging
import MIME
public import Scanning
import ScanWorkers

extension FilterService {
    /// A component the configuration asks for could not be made; says which and why.
    public struct StartupError: Error, Sendable, CustomStringConvertible {
        public var component: String
        public var message: String
        public var description: String { "\(component): \(message)" }

        public init(component: String, message: String) {
            self.component = component
            self.message = message
        }
    }

    /// How the daemon starts its scan zygote: its own executable with `--scan-zygote`.
    public struct ZygoteLaunch: Sendable {
        public var executable: String
        public var arguments: [String]

        public init(executable: String, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    /// Builds the service the configuration describes: loads the signatures (embedded engine,
    /// in scan workers forked from a zygote started with `zygote` when `[scan] isolation` is
    /// `workers` and a launch is given) or checks the clamd servers' settings, opens libmagic,
    /// and sets up the policy.
    public static func make(
        config: ScanmilterConfig, quarantine: (any QuarantineSink)?, logger: Logger, zygote: ZygoteLaunch? = nil
    ) throws -> FilterService {
        // Large bodies and libclamav's extracted files go there: a typo would otherwise show only
        // as temp-failed mail once the first large message arrives.
        var info = stat()
        guard stat(config.scan.tempDir, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw StartupError(component: "[scan] temp_dir", message: "\(config.scan.tempDir) is not a directory")
        }
        let backend: any ScanBackend
        switch config.scan.backend {
        case .clamav:
            if config.scan.isolation == .workers, let zygote {
                let workers = config.scan.maxConcurrentScans > 0 ? config.scan.maxConcurrentScans : ProcessInfo.processInfo.activeProcessorCount
                let launch = IsolatedScanBackend.Configuration(
                    executable: zygote.executable, arguments: zygote.arguments, workers: workers,
                    scanTimeout: .milliseconds(Int64(config.scan.workerTimeout * 1000)),
                    mailDecodingBudget: config.scan.mailDecodingBudget)
                do {
                    backend = try IsolatedScanBackend(configuration: launch, logger: logger)
                } catch {
                    throw StartupError(component: "signatures in \(config.scan.databaseDir) (scan workers)", message: "\(error)")
                }
            } else {
                do {
                    backend = try ClamAVBackend(settings: ClamAVBackendSettings(config.scan), logger: logger)
                } catch {
                    throw StartupError(component: "signatures in \(config.scan.databaseDir)", message: "\(error)")
                }
            }
        case .clamd:
            var servers: [ClamdEndpoint] = []
            var capacities: [Int] = []
            for text in config.scan.clamdServers {
                let server = try clamdServer(text, defaultMaxThreads: config.scan.clamdMaxThreads)
                servers.append(server.endpoint)
                capacities.append(server.maxThreads)
            }
            let timeout = Duration.milliseconds(Int64(config.scan.clamdTimeout * 1000))
            do {
                var pool = ClamdBackend.Configuration(servers: servers, readTimeout: timeout)
                pool.capacities = capacities
                backend = try ClamdBackend(configuration: pool, logger: logger)
            } catch {
                throw StartupError(component: "clamd backend", message: "\(error)")
            }
        }
        let detector: TypeDetector
        do {
            detector = try TypeDetector()
        } catch {
            throw StartupError(component: "libmagic", message: "\(error)")
        }
        let scanner = ScannerHandle(backend: backend)
        let pipeline = Pipeline(
            parser: MIMEParser(), scanner: MessageScanner(backend: backend, strategy: MessageScanner.Strategy(config.scan.strategy)), detector: detector,
            policies: try RecipientPolicies.make(config, scannerCrash: quarantine == nil ? .reject : .quarantine), signatureBuildTime: { scanner.signatureBuildTime })
        let metrics = Metrics()
        let hostname = config.headers.hostname.isEmpty ? systemHostname() : config.headers.hostname
        let notifier = try Notifier.make(config: config, hostname: hostname, metrics: metrics, logger: logger)
        return FilterService(
            config: config, pipeline: pipeline, scanner: scanner, quarantine: quarantine, logger: logger, metrics: metrics,
            notifier: notifier)
    }

    /// One `[scan] clamd_servers` entry: an address, optionally followed by `max_threads=N` (that
    /// server's clamd `MaxThreads`, when it differs from `[scan] clamd_max_threads`).
    static func clamdServer(_ text: String, defaultMaxThreads: Int) throws -> (endpoint: ClamdEndpoint, maxThreads: Int) {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard let address = words.first, let endpoint = ClamdEndpoint(String(address)) else {
            throw StartupError(component: "[scan] clamd_servers", message: "'\(text)' is not unix:/path or HOST:PORT")
        }
        var maxThreads = defaultMaxThreads
        for option in words.dropFirst() {
            guard option.hasPrefix("max_threads="), let value = Int(option.dropFirst("max_threads=".count)), (1...4096).contains(value)
            else {
                throw StartupError(
                    component: "[scan] clamd_servers",
                    message: "'\(option)' in '\(text)': the only option is max_threads=N (1 to 4096), e.g. \"10.0.0.5:3310 max_threads=20\"")
            }
            maxThreads = value
        }
        return (endpoint, maxThreads)
    }

    /// Type rules from `[policy]`: "default" stands for the built-in lists.
    static func typeRules(_ policy: PolicySettings) throws -> TypeRules {
        var categories: Set<FileCategory> = []
        for name in policy.bannedTypes {
            if name == "default" {
                categories.formUnion(FileCategory.defaultBanned)
            } else if let category = FileCategory.all.first(where: { $0.name == name }) {
                categories.insert(category)
            } else {
                let known = FileCategory.all.map(\.name).joined(separator: ", ")
                throw StartupError(component: "[policy] banned_types", message: "unknown type '\(name)'; known: default, \(known)")
            }
        }
        var extensions: Set<String> = []
        for name in policy.bannedExtensions {
            if name == "default" {
                extensions.formUnion(BannedExtensions.default)
            } else {
                extensions.insert(String(name.drop { $0 == "." }).lowercased())
            }
        }
        return TypeRules(bannedCategories: categories, bannedExtensions: extensions, reportsMismatches: policy.typeMismatch)
    }
}

extension ClamAVBackendSettings {
    /// The embedded engine's settings from the `[scan]` section: limits and alerts left unset keep
    /// ClamAV's defaults; in-place reloads let scans wait up to 30 s, or twice the last load time.
    public init(_ scan: ScanSettings) {
        var heuristics: EngineOptions.Heuristics = []
        let switches: [(Bool?, EngineOptions.Heuristics)] = [
            (scan.alertEncryptedArchive, .encryptedArchives), (scan.alertEncryptedDoc, .encryptedDocuments),
            (scan.alertBrokenExecutables, .brokenExecutables), (scan.alertOLE2Macros, .ole2Macros),
            (scan.alertPhishingSSLMismatch, .phishingSSLMismatch), (scan.alertPhishingCloak, .phishingCloak),
            (scan.alertPartitionIntersection, .partitionIntersection), (scan.alertExceedsMax, .exceedsMax),
        ]
        for case (true?, let flag) in switches { heuristics.insert(flag) }
        let options = EngineOptions(
            maxScanSize: scan.maxScanSize.map { UInt64(clamping: $0) },
            maxFileSize: scan.maxFileSize.map { UInt64(clamping: $0) },
            maxRecursion: scan.maxRecursion.map { UInt32(clamping: $0) },
            maxFiles: scan.maxFiles.map { UInt32(clamping: $0) },
            maxScanTime: scan.maxScanTime.map { UInt32(clamping: Int(($0 * 1000).rounded())) },
            detectPUA: scan.detectPUA,
            heuristics: heuristics,
            disableCache: scan.disableCache,
            temporaryDirectory: scan.tempDir)
        let mode: ReloadMode = switch scan.reloadMode {
        case .concurrent: .concurrent
        case .inPlace: .inPlace(maxWait: Self.defaultInPlaceWait)
        }
        self.init(
            databaseDirectory: scan.databaseDir, engineOptions: options, reloadMode: mode,
            mailDecodingBudget: scan.mailDecodingBudget)
        // A large set takes longer to load again than the fixed wait.
        inPlaceWaitFollowsLoadTime = true
    }
}

extension MessageScanner.Strategy {
    /// The strategy `[scan] strategy` names.
    init(_ setting: ScanStrategy) {
        self = switch setting {
        case .everyPartSkeleton: .everyPartSkeleton
        case .everyPart: .everyPart
        case .everyPartRaw: .everyPartRaw
        case .attributeOnFinding: .attributeOnFinding
        }
    }
}
