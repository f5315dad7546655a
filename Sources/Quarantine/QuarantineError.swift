public import ErrorCodes

/// Marks quarantine errors.
public enum QuarantineFailure {}

/// A quarantine operation that failed, with what failed in words an administrator can act on.
public typealias QuarantineError = CodedError<QuarantineFailure>

/// The kinds of quarantine failure; callers choose exit codes and SMTP replies by them.
extension QuarantineError.Code {
    /// Text that is not a quarantine id (wrong length, a `/`, `..`).
    public static var malformedID: Self { Self("malformed id") }
    /// No entry has that id.
    public static var unknownID: Self { Self("unknown id") }
    /// The store directory or its index does not exist.
    public static var storeMissing: Self { Self("store missing") }
    /// The entry is not held (already released, deleted, or being released).
    public static var notHeld: Self { Self("not held") }
    /// The entry's message file is gone or unreadable.
    public static var fileMissing: Self { Self("file missing") }
    /// The file system is full (ENOSPC, EDQUOT, SQLITE_FULL).
    public static var diskFull: Self { Self("disk full") }
    /// The index stayed locked by another writer longer than the busy timeout.
    public static var indexBusy: Self { Self("index busy") }
    /// Reading or writing a file failed for another reason.
    public static var io: Self { Self("i/o error") }
    /// The SQLite index failed for another reason.
    public static var index: Self { Self("index error") }
    /// An argument is unusable (a relay address that is not HOST:PORT, `--to` for a hold entry).
    public static var invalidArgument: Self { Self("invalid argument") }
    /// A stored message no longer matches the SHA-256 recorded when it was stored.
    public static var checksumMismatch: Self { Self("checksum mismatch") }
    /// The shared store's database cannot be reached, refused the login, or did not answer in
    /// time: the daemon temp-fails, so Postfix keeps the message and retries.
    public static var unavailable: Self { Self("store unavailable") }
    /// The shared store's schema is missing, older or newer than this build's: run
    /// `scanmilterctl quarantine init` (or upgrade scanmilter for a newer one).
    public static var schemaMismatch: Self { Self("schema mismatch") }
    /// Delivered to the relay, but the index could not record it: the entry stays `releasing`.
    public static var unrecorded: Self { Self("delivered but not recorded") }
}
