#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where the updater keeps its files: everything lives in a hidden `.scanmilter` folder inside
/// the database directory, so it is on the same file system (libfreshclam and the atomic
/// install both rely on rename(2)) and it survives as one volume in a container. libclamav
/// loads only files with database extensions and skips the folder.
///
/// ```
/// DATABASE_DIR/                 the live set the daemon loads
///   .scanmilter/update.lock     flock: one update at a time
///   .scanmilter/state.json      last update and its outcome (for `status`)
///   .scanmilter/freshclam.log   libfreshclam's log of the last runs
///   .scanmilter/freshclam.dat   libfreshclam's state (mirror cool-downs), kept between runs
///   .scanmilter/staging/        the candidate set libfreshclam updates
///   .scanmilter/tmp/            libfreshclam's downloads and patches in progress
///   .scanmilter/previous/       the previous good set, for `update --rollback`
/// ```
public struct DatabaseLayout: Sendable, Equatable {
    /// The live database directory.
    public let directory: String

    /// Makes the layout for `directory`.
    public init(directory: String) { self.directory = directory }

    /// The updater's work folder.
    public var workDirectory: String { path(directory, ".scanmilter") }
    /// The lock file.
    public var lockFile: String { path(workDirectory, "update.lock") }
    /// The state file `status` reads.
    public var stateFile: String { path(workDirectory, "state.json") }
    /// libfreshclam's log file.
    public var logFile: String { path(workDirectory, "freshclam.log") }
    /// libfreshclam's state file, kept between runs.
    public var freshclamState: String { path(workDirectory, "freshclam.dat") }
    /// The candidate set.
    public var staging: String { path(workDirectory, "staging") }
    /// libfreshclam's temporary directory.
    public var temporary: String { path(workDirectory, "tmp") }
    /// The previous good set.
    public var previous: String { path(workDirectory, "previous") }

    /// Checks that the live directory exists and creates the work folder; a read-only or
    /// foreign-owned directory fails here, before anything is downloaded.
    func prepare() throws(UpdateError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UpdateError(.configuration, "database directory \(directory) does not exist")
        }
        if mkdir(workDirectory, 0o755) != 0, errno != EEXIST {
            throw UpdateError(.notWritable, "database directory \(directory) is not writable: \(String(cString: strerror(errno)))")
        }
        guard access(workDirectory, W_OK) == 0, access(directory, W_OK) == 0 else {
            throw UpdateError(.notWritable, "database directory \(directory) is not writable: \(String(cString: strerror(errno)))")
        }
    }

    /// Bytes free for us on the database directory's file system, if statvfs can tell.
    func availableBytes() -> UInt64? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }
}

func path(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The text for the current errno.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
