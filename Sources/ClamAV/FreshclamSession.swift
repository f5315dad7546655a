internal import CClamAV
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An open libfreshclam session (`fc_initialize` … `fc_cleanup`) that downloads signature
/// databases into one directory.
///
/// libfreshclam keeps global state, is not thread-safe and changes the process's working
/// directory: open sessions only in a process of their own (the `scanmilterctl update` CLI),
/// never in the scanning daemon. One session at a time per process; a second throws
/// ``FreshclamError/Code/sessionBusy``. Every downloaded file is test-loaded (`fc_test_database`)
/// before libfreshclam moves it into place, so a file that does not load is refused by name.
public final class FreshclamSession {
    /// Set while a session is open: libfreshclam's state is process-wide.
    private static let open = Atomic<Bool>(false)

    /// The settings this session was opened with.
    public let configuration: FreshclamConfiguration
    /// C strings handed to `fc_initialize`, freed when the session closes.
    private var retainedStrings: [UnsafeMutablePointer<CChar>] = []
    /// The working directory before libfreshclam changed it, restored after every call.
    private let savedDirectory: String
    /// Receives download-complete callbacks for the call in progress.
    private let observer: DownloadObserver

    /// Runs `body` with an open session and closes it afterwards, whatever happens.
    public static func withSession<T>(
        _ configuration: FreshclamConfiguration, _ body: (FreshclamSession) throws -> T
    ) throws -> T {
        let session = try FreshclamSession(configuration)
        defer { session.close() }
        return try body(session)
    }

    private init(_ configuration: FreshclamConfiguration) throws(FreshclamError) {
        guard Self.open.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw FreshclamError(function: "fc_initialize", code: .sessionBusy, message: "another libfreshclam session is open in this process")
        }
        self.configuration = configuration
        self.savedDirectory = FileManager.default.currentDirectoryPath
        self.observer = DownloadObserver(bytecode: configuration.bytecode)
        do {
            try ClamAVLibrary.initialize()
        } catch {
            Self.open.store(false, ordering: .releasing)
            throw FreshclamError(function: "cl_init", code: .init("FC_EINIT"), message: error.description)
        }
        var config = fc_config()
        // Silent on the terminal (see cclamav_freshclam_silence_terminal); errors are read back
        // from the log file, and the caller reports one clear line per failure.
        config.msgFlags = UInt32(FC_CONFIG_MSG_QUIET | FC_CONFIG_MSG_NOWARN)
        config.logFlags = UInt32(FC_CONFIG_LOG_VERBOSE | FC_CONFIG_LOG_TIME)
        config.maxAttempts = configuration.maxAttempts
        config.connectTimeout = configuration.connectTimeout
        config.requestTimeout = configuration.requestTimeout
        config.databaseDirectory = retain(configuration.databaseDirectory)
        config.tempDirectory = retain(configuration.temporaryDirectory)
        config.logFile = retain(configuration.logFile)
        if let agent = configuration.userAgent { config.userAgent = retain(agent) }
        if let proxy = configuration.proxy {
            config.proxyServer = retain(proxy.server)
            config.proxyPort = proxy.port
            if let user = proxy.username { config.proxyUsername = retain(user) }
            if let password = proxy.password { config.proxyPassword = retain(password) }
        }
        fc_set_fccb_download_complete(downloadComplete)
        let offset = logOffset()
        cclamav_freshclam_silence_terminal()
        let value = fc_initialize(&config)
        restoreDirectory()
        guard value == FC_SUCCESS else {
            logg_close()
            releaseStrings()
            Self.open.store(false, ordering: .releasing)
            throw FreshclamError(function: "fc_initialize", value: value, detail: loggedErrors(since: offset))
        }
    }

    /// Closes the session (`fc_cleanup`); called by ``withSession(_:_:)``.
    private func close() {
        fc_cleanup()
        // The next session logs to its own file (see CClamAV.h).
        logg_close()
        restoreDirectory()
        releaseStrings()
        Self.open.store(false, ordering: .releasing)
    }

    /// Asks DNS which database versions are current (`fc_dns_query_update_info`), as the
    /// official mirror expects: the answer lets libfreshclam skip downloads that are current.
    public func dnsUpdateInfo(server: String = "current.cvd.clamav.net") throws(FreshclamError) -> String {
        var info: UnsafeMutablePointer<CChar>? = nil
        var newVersion: UnsafeMutablePointer<CChar>? = nil
        let value = call { fc_dns_query_update_info(server, &info, &newVersion) }
        defer {
            free(info)
            free(newVersion)
        }
        guard value.result == FC_SUCCESS, let info else {
            throw FreshclamError(function: "fc_dns_query_update_info", value: value.result, detail: value.logged)
        }
        return String(cString: info)
    }

    /// Brings the signed database `name` (e.g. "daily") up to date from `servers`
    /// (`fc_update_database`), with incremental cdiff patches when `incremental`; returns whether
    /// anything changed. `privateMirror` makes libfreshclam treat the servers as a private mirror.
    public func updateDatabase(
        _ name: String, servers: [String], privateMirror: Bool, dnsUpdateInfo: String?, incremental: Bool = true
    ) throws(FreshclamError) -> Bool {
        let list = servers.map { strdup($0) }
        defer { list.forEach { free($0) } }
        var updated: Int32 = 0
        var pointers = list
        let value = pointers.withUnsafeMutableBufferPointer { buffer in
            call {
                fc_update_database(
                    name, buffer.baseAddress, UInt32(buffer.count), privateMirror ? 1 : 0, dnsUpdateInfo,
                    incremental ? 1 : 0, Unmanaged.passUnretained(observer).toOpaque(), &updated)
            }
        }
        guard value.result == FC_SUCCESS || value.result == FC_UPTODATE else {
            throw FreshclamError(function: "fc_update_database", value: value.result, detail: value.logged)
        }
        return updated != 0
    }

    /// Downloads one unsigned signature file from `url` (`fc_download_url_database`), e.g. a
    /// custom `.ndb`; returns whether it changed since the copy in the database directory.
    public func downloadURL(_ url: String) throws(FreshclamError) -> Bool {
        var updated: Int32 = 0
        let value = call { fc_download_url_database(url, Unmanaged.passUnretained(observer).toOpaque(), &updated) }
        guard value.result == FC_SUCCESS || value.result == FC_UPTODATE else {
            throw FreshclamError(function: "fc_download_url_database", value: value.result, detail: value.logged)
        }
        return updated != 0
    }

    /// Runs one libfreshclam call: the log's new errors, libclamav's messages and refused
    /// downloads collected, the working directory restored afterwards.
    private func call(_ body: () -> fc_error_t) -> (result: fc_error_t, logged: [String]) {
        observer.refusals = []
        let offset = logOffset()
        let (result, libraryMessages) = LibraryMessages.capturing(body)
        restoreDirectory()
        var detail = observer.refusals
        for line in loggedErrors(since: offset) + libraryMessages where !detail.contains(line) {
            detail.append(line)
        }
        return (result, Array(detail.prefix(4)))
    }

    private func retain(_ string: String) -> UnsafePointer<CChar> {
        let bytes = string.utf8CString
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        copy.initialize(from: Array(bytes), count: bytes.count)
        retainedStrings.append(copy)
        return UnsafePointer(copy)
    }

    private func releaseStrings() {
        retainedStrings.forEach { $0.deallocate() }
        retainedStrings = []
    }

    private func restoreDirectory() {
        _ = FileManager.default.changeCurrentDirectoryPath(savedDirectory)
    }

    /// The log file's size now, so that a call's errors can be read back afterwards.
    private func logOffset() -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: configuration.logFile)
        return (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The `ERROR:` lines libfreshclam logged after `offset`, without prefixes and repeats.
    private func loggedErrors(since offset: UInt64) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: configuration.logFile) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        var lines: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let range = line.range(of: "ERROR: ") else { continue }
            // libfreshclam sometimes continues a message on the same log line, behind another
            // time stamp and "ERROR:"; keep only the text.
            let message = String(line[range.upperBound...])
                .replacingOccurrences(of: #"[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4} -> "#, with: "", options: .regularExpression)
                .replacingOccurrences(of: "ERROR: ", with: "")
                .replacingOccurrences(of: "  ", with: " ")
                .trimmingCharacters(in: .whitespaces)
            if !message.isEmpty, !lines.contains(message) { lines.append(message) }
        }
        return lines
    }
}

/// Test-loads each file libfreshclam downloaded, before libfreshclam moves it into place.
final class DownloadObserver {
    let bytecode: Bool
    /// Why files were refused during the current call, one line each.
    var refusals: [String] = []

    init(bytecode: Bool) { self.bytecode = bytecode }

    func check(_ path: String) -> fc_error_t {
        let (value, messages) = LibraryMessages.capturing { fc_test_database(path, bytecode ? 1 : 0) }
        guard value == FC_SUCCESS else {
            // libfreshclam names the file "<random>.tmp-<database>"; report the database's name.
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let shown = name.range(of: ".tmp-").map { String(name[$0.upperBound...]) } ?? name
            var line = "\(shown) failed to load"
            if let first = messages.first { line += " (\(first))" }
            refusals.append(line)
            return FC_ETESTFAIL
        }
        return FC_SUCCESS
    }
}

/// libfreshclam's download-complete callback: the context is the session's observer.
private let downloadComplete: fccb_download_complete = { path, context in
    // No context means a call we did not make; nothing to test against, so refuse nothing.
    guard let path, let context else { return FC_SUCCESS }
    return Unmanaged<DownloadObserver>.fromOpaque(context).takeUnretainedValue().check(String(cString: path))
}
