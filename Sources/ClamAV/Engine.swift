internal import CClamAV
import Foundation

/// A compiled libclamav engine (`struct cl_engine`) loaded from one database directory.
///
/// Immutable once built: libclamav allows any number of concurrent scans on a compiled engine,
/// so one instance is shared by every scanning thread. Reloading means building a new `Engine`;
/// the C engine is freed when the last reference (e.g. the last scan in flight) goes away.
public final class Engine: @unchecked Sendable {
    // @unchecked: `handle` is written once in init and only read afterwards; libclamav documents
    // concurrent scans on a compiled engine as safe, and nothing changes its settings after compile.
    let handle: OpaquePointer
    /// The settings the engine was built with.
    public let options: EngineOptions
    /// What was loaded: signature count, versions and build times of the signed databases.
    public let database: DatabaseInfo
    /// How long loading and compiling took.
    public let loadDuration: Duration

    /// Loads every database format libclamav knows from `directory` (cvd, cld, cud, ndb, hdb,
    /// hsb, mdb, msb, ldb, ign2, fp, pdb, wdb, ...), applies `options`, and compiles.
    public init(databaseDirectory directory: String, options: EngineOptions = EngineOptions()) throws(ClamAVError) {
        try ClamAVLibrary.initialize()
        try Self.checkDirectory(directory)
        let clock = ContinuousClock()
        let start = clock.now
        guard let handle = cl_engine_new() else {
            throw ClamAVError(function: "cl_engine_new", code: .nullResult, message: "could not allocate an engine")
        }
        var built = false
        defer { if !built { cl_engine_free(handle) } }

        try Self.apply(options, to: handle)
        cl_engine_set_clcb_virus_found(handle, virusFoundCallback)
        var signatures: UInt32 = 0
        // CL_DB_STDOPT, spelled out (Swift does not import the composite macro).
        var loadOptions: UInt32 = 0
        if options.phishingSignatures { loadOptions |= UInt32(CL_DB_PHISHING | CL_DB_PHISHING_URLS) }
        if options.bytecode { loadOptions |= UInt32(CL_DB_BYTECODE) }
        if options.detectPUA { loadOptions |= UInt32(CL_DB_PUA) }
        try check("cl_load") { cl_load(directory, handle, &signatures, loadOptions) }
        try check("cl_engine_compile") { cl_engine_compile(handle) }

        built = true
        self.handle = handle
        self.options = options
        self.database = DatabaseInfo(directory: directory, signatureCount: Int(signatures), engine: handle)
        self.loadDuration = clock.now - start
    }

    deinit {
        cl_engine_free(handle)
        // An engine is millions of small allocations; glibc keeps freed heap pages mapped unless
        // asked, so without a trim every reload would leave the process a whole engine larger.
        malloc_trim(0)
    }

    /// Checks that `directory` holds signature files libclamav can count, without building an
    /// engine (`cl_countsigs`): a cheap test before an in-place reload gives up the running engine.
    /// Malformed lines inside a file are found only by a real load.
    public static func validateDatabase(directory: String) throws(ClamAVError) -> Int {
        try ClamAVLibrary.initialize()
        try checkDirectory(directory)
        var signatures: UInt32 = 0
        try check("cl_countsigs") { cl_countsigs(directory, UInt32(CL_COUNTSIGS_ALL), &signatures) }
        return Int(signatures)
    }

    /// Fails early, with a clear error, for a directory libclamav would only call "cannot open".
    private static func checkDirectory(_ directory: String) throws(ClamAVError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClamAVError(
                function: "cl_load", code: .databaseDirectoryMissing,
                message: "database directory \(directory) does not exist or is not a directory")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if entries.filter({ !$0.hasPrefix(".") }).isEmpty {
            throw ClamAVError(
                function: "cl_load", code: .databaseDirectoryEmpty,
                message: "database directory \(directory) holds no signature files")
        }
    }

    /// Whether libclamav's clean cache is off in this engine (read back from libclamav).
    public var isCacheDisabled: Bool {
        var error: Int32 = 0
        return cl_engine_get_num(handle, CL_ENGINE_DISABLE_CACHE, &error) != 0
    }

    /// The directory libclamav writes extracted content to; nil when it uses its default.
    public var temporaryDirectory: String? {
        var error: Int32 = 0
        return cl_engine_get_str(handle, CL_ENGINE_TMPDIR, &error).map { String(cString: $0) }
    }

    /// Sets the limits, the cache switch and the temporary directory; unset limits keep libclamav's defaults.
    private static func apply(_ options: EngineOptions, to handle: OpaquePointer) throws(ClamAVError) {
        let limits: [(cl_engine_field, Int64?)] = [
            (CL_ENGINE_MAX_SCANSIZE, options.maxScanSize.map(Int64.init)),
            (CL_ENGINE_MAX_FILESIZE, options.maxFileSize.map(Int64.init)),
            (CL_ENGINE_MAX_RECURSION, options.maxRecursion.map(Int64.init)),
            (CL_ENGINE_MAX_FILES, options.maxFiles.map(Int64.init)),
            (CL_ENGINE_MAX_SCANTIME, options.maxScanTime.map(Int64.init)),
        ]
        for case let (field, value?) in limits {
            try check("cl_engine_set_num") { cl_engine_set_num(handle, field, value) }
        }
        if options.disableCache {
            try check("cl_engine_set_num") { cl_engine_set_num(handle, CL_ENGINE_DISABLE_CACHE, 1) }
        }
        if let directory = options.temporaryDirectory {
            // libclamav copies the string.
            try check("cl_engine_set_str") { cl_engine_set_str(handle, CL_ENGINE_TMPDIR, directory) }
        }
    }
}

/// libclamav's virus-found callback (`clcb_virus_found`): called on the scanning thread once per
/// match, with the context the scan passed in; appends the name to that scan's collector.
private let virusFoundCallback: clcb_virus_found = { _, name, context in
    guard let name, let context else { return }
    let collector = Unmanaged<MatchCollector>.fromOpaque(context).takeUnretainedValue()
    collector.add(String(cString: name))
}

/// The names one scan matched, in order, without repeats. Lives on the scanning thread only.
final class MatchCollector {
    private(set) var names: [String] = []

    func add(_ name: String) {
        if !names.contains(name) { names.append(name) }
    }
}
