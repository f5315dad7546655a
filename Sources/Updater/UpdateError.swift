public import ErrorCodes

/// Marks update errors.
public enum UpdateFailure {}

/// Why an update, a rollback or a status query failed; the installed database is untouched
/// unless ``Code/installFailed`` says otherwise.
public typealias UpdateError = CodedError<UpdateFailure>

/// The kinds of update failure; `scanmilterctl` maps each to a sysexits(3) exit code, and their
/// names (e.g. "mirror-unavailable") stand in `--json` output.
extension UpdateError.Code {
    /// The settings are unusable: no database directory, a bad proxy URL, no canary folder.
    public static var configuration: Self { Self("configuration") }
    /// The database directory (or its `.scanmilter` work folder) cannot be written.
    public static var notWritable: Self { Self("not-writable") }
    /// The file system holding the database directory is full.
    public static var diskFull: Self { Self("disk-full") }
    /// Another update or rollback holds the lock.
    public static var busy: Self { Self("busy") }
    /// No mirror could be reached, or a mirror did not have the file.
    public static var mirrorUnavailable: Self { Self("mirror-unavailable") }
    /// The mirror refused us (HTTP 403/429); libfreshclam waits out a cool-down.
    public static var mirrorRefused: Self { Self("mirror-refused") }
    /// A download failed its signature check, was empty, truncated or not a database.
    public static var downloadInvalid: Self { Self("download-invalid") }
    /// The complete new set did not load in a scratch engine.
    public static var loadFailed: Self { Self("load-failed") }
    /// The new set flagged a known-clean canary message, or missed the EICAR message.
    public static var canaryFailed: Self { Self("canary-failed") }
    /// Moving the new set into place failed (the previous set was put back where possible).
    public static var installFailed: Self { Self("install-failed") }
    /// `--rollback` found no previous set.
    public static var noPreviousSet: Self { Self("no-previous-set") }
}
