/// A quarantine operation that failed, with what failed in words an administrator can act on.
public struct QuarantineError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; callers choose exit codes and SMTP replies by it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// Text that is not a quarantine id (wrong length, a `/`, `..`).
        public static let malformedID = Code(name: "malformed id")
        /// No entry has that id.
        public static let unknownID = Code(name: "unknown id")
        /// The store directory or its index does not exist.
        public static let storeMissing = Code(name: "store missing")
        /// The entry is not held (already released, deleted, or being released).
        public static let notHeld = Code(name: "not held")
        /// The entry's message file is gone or unreadable.
        public static let fileMissing = Code(name: "file missing")
        /// The file system is full (ENOSPC, EDQUOT, SQLITE_FULL).
        public static let diskFull = Code(name: "disk full")
        /// The index stayed locked by another writer longer than the busy timeout.
        public static let indexBusy = Code(name: "index busy")
        /// Reading or writing a file failed for another reason.
        public static let io = Code(name: "i/o error")
        /// The SQLite index failed for another reason.
        public static let index = Code(name: "index error")
        /// An argument is unusable (a relay address that is not HOST:PORT, `--to` for a hold entry).
        public static let invalidArgument = Code(name: "invalid argument")
        /// Delivered to the relay, but the index could not record it: the entry stays `releasing`.
        public static let unrecorded = Code(name: "delivered but not recorded")
        /// The name of the code.
        public var description: String { name }
    }

    /// What kind of failure.
    public let code: Code
    /// What failed, naming the file, id or statement.
    public let message: String

    /// An error of `code` saying `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
