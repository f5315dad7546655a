/// Why an update, a rollback or a status query failed; the installed database is untouched
/// unless ``Code/installFailed`` says otherwise.
public struct UpdateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; `scanmilterctl` maps each to a sysexits(3) exit code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A short stable name, e.g. "mirror-unavailable" (also used in `--json` output).
        public let name: String
        /// Makes a code from its name.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The settings are unusable: no database directory, a bad proxy URL, no canary folder.
        public static let configuration = Code("configuration")
        /// The database directory (or its `.scanmilter` work folder) cannot be written.
        public static let notWritable = Code("not-writable")
        /// The file system holding the database directory is full.
        public static let diskFull = Code("disk-full")
        /// Another update or rollback holds the lock.
        public static let busy = Code("busy")
        /// No mirror could be reached, or a mirror did not have the file.
        public static let mirrorUnavailable = Code("mirror-unavailable")
        /// The mirror refused us (HTTP 403/429); libfreshclam waits out a cool-down.
        public static let mirrorRefused = Code("mirror-refused")
        /// A download failed its signature check, was empty, truncated or not a database.
        public static let downloadInvalid = Code("download-invalid")
        /// The complete new set did not load in a scratch engine.
        public static let loadFailed = Code("load-failed")
        /// The new set flagged a known-clean canary message, or missed the EICAR message.
        public static let canaryFailed = Code("canary-failed")
        /// Moving the new set into place failed (the previous set was put back where possible).
        public static let installFailed = Code("install-failed")
        /// `--rollback` found no previous set.
        public static let noPreviousSet = Code("no-previous-set")
    }

    /// What kind of failure.
    public var code: Code
    /// One line for the administrator: what failed and where.
    public var message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
