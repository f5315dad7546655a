/// Engine limits and heuristic alerts, as clamd.conf names them. A `nil` limit keeps libclamav's
/// own default (the values clamd documents), so an unset option behaves exactly like ClamAV.
public struct EngineOptions: Sendable, Equatable {
    /// Bytes scanned per file at most, counting extracted content (`MaxScanSize`, default 400 MiB).
    public var maxScanSize: UInt64?
    /// Files larger than this are not scanned (`MaxFileSize`, default 100 MiB).
    public var maxFileSize: UInt64?
    /// Nesting depth of archives and embedded files (`MaxRecursion`, default 17).
    public var maxRecursion: UInt32?
    /// Files scanned inside one container at most (`MaxFiles`, default 10000).
    public var maxFiles: UInt32?
    /// Milliseconds one scan may take (`MaxScanTime`, default 120000).
    public var maxScanTime: UInt32?
    /// Detect possibly unwanted applications (`DetectPUA`, default off).
    public var detectPUA: Bool
    /// Alert on heuristics at all (`HeuristicAlerts`, default on); the switches below refine it.
    public var heuristicAlerts: Bool
    /// Which heuristic alerts are on (default: none, as in clamd.conf).
    public var heuristics: Heuristics
    /// Load phishing signatures and scan URLs (`PhishingSignatures`/`PhishingScanURLs`, default on).
    public var phishingSignatures: Bool
    /// Load and run bytecode signatures (`Bytecode`, default on).
    public var bytecode: Bool
    /// Turn off libclamav's cache of clean content (`DisableCache`, default off). The cache
    /// remembers the hash of every clean file and skips it the next time; benchmarks that send
    /// the same corpus again and again turn it off to measure mail that is all new.
    public var disableCache: Bool
    /// Where libclamav writes what it extracts while scanning (`TemporaryDirectory`; nil: `$TMPDIR`
    /// or `/tmp`, libclamav's default).
    public var temporaryDirectory: String?

    /// Options with every value at ClamAV's default unless given.
    public init(
        maxScanSize: UInt64? = nil,
        maxFileSize: UInt64? = nil,
        maxRecursion: UInt32? = nil,
        maxFiles: UInt32? = nil,
        maxScanTime: UInt32? = nil,
        detectPUA: Bool = false,
        heuristicAlerts: Bool = true,
        heuristics: Heuristics = [],
        phishingSignatures: Bool = true,
        bytecode: Bool = true,
        disableCache: Bool = false,
        temporaryDirectory: String? = nil
    ) {
        self.maxScanSize = maxScanSize
        self.maxFileSize = maxFileSize
        self.maxRecursion = maxRecursion
        self.maxFiles = maxFiles
        self.maxScanTime = maxScanTime
        self.detectPUA = detectPUA
        self.heuristicAlerts = heuristicAlerts
        self.heuristics = heuristics
        self.phishingSignatures = phishingSignatures
        self.bytecode = bytecode
        self.disableCache = disableCache
        self.temporaryDirectory = temporaryDirectory
    }

    /// Heuristic alerts; raw values are libclamav's `CL_SCAN_HEURISTIC_*` bits.
    public struct Heuristics: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        /// Makes a set from `CL_SCAN_HEURISTIC_*` bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Broken PE and ELF executables (`AlertBrokenExecutables`; CL_SCAN_HEURISTIC_BROKEN).
        public static let brokenExecutables = Heuristics(rawValue: 0x2)
        /// Files past a size, recursion or count limit (`AlertExceedsMax`; CL_SCAN_HEURISTIC_EXCEEDS_MAX).
        /// Without it libclamav passes such files silently.
        public static let exceedsMax = Heuristics(rawValue: 0x4)
        /// Links whose text and target disagree on SSL (`AlertPhishingSSLMismatch`;
        /// CL_SCAN_HEURISTIC_PHISHING_SSL_MISMATCH). libclamav 1.4 already reports such links to
        /// domains its phishing databases protect without it.
        public static let phishingSSLMismatch = Heuristics(rawValue: 0x8)
        /// Cloaked URLs in mail (`AlertPhishingCloak`; CL_SCAN_HEURISTIC_PHISHING_CLOAK).
        public static let phishingCloak = Heuristics(rawValue: 0x10)
        /// OLE2 documents with VBA macros (`AlertOLE2Macros`; CL_SCAN_HEURISTIC_MACROS).
        public static let ole2Macros = Heuristics(rawValue: 0x20)
        /// Encrypted archives (`AlertEncryptedArchive`; CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE).
        public static let encryptedArchives = Heuristics(rawValue: 0x40)
        /// Encrypted documents (`AlertEncryptedDoc`; CL_SCAN_HEURISTIC_ENCRYPTED_DOC).
        public static let encryptedDocuments = Heuristics(rawValue: 0x80)
        /// Partition tables that do not make sense (`AlertPartitionIntersection`;
        /// CL_SCAN_HEURISTIC_PARTITION_INTXN).
        public static let partitionIntersection = Heuristics(rawValue: 0x100)
        /// Data-loss prevention: credit card and social security numbers (`StructuredDataDetection`;
        /// CL_SCAN_HEURISTIC_STRUCTURED with _CC, _SSN_NORMAL and _SSN_STRIPPED).
        public static let structuredData = Heuristics(rawValue: 0x200 | 0x400 | 0x800 | 0x1000)
        /// Images that do not match their format (`AlertBrokenMedia`; CL_SCAN_HEURISTIC_BROKEN_MEDIA).
        public static let brokenMedia = Heuristics(rawValue: 0x2000)
    }
}
