/// The exit statuses of every command, spelled once: sysexits(3), plus `findings` for `scan`.
enum SysExit: Int32 {
    /// Something was found (`scan`: a virus or a banned part), as clamscan answers 1. Not a sysexit.
    case findings = 1
    /// EX_USAGE: a malformed argument, e.g. an id that is not one.
    case usage = 64
    /// EX_DATAERR: the input is wrong (an entry in the wrong state, a refused download, a canary that failed).
    case dataError = 65
    /// EX_NOINPUT: a file, entry or previous signature set is missing.
    case noInput = 66
    /// EX_UNAVAILABLE: the daemon or milter is not running or not healthy.
    case unavailable = 69
    /// EX_CANTCREAT: a directory is not writable.
    case cantCreate = 73
    /// EX_IOERR: the disk is full, or moving files into place failed.
    case ioError = 74
    /// EX_TEMPFAIL: try again later (a mirror, a busy index, a refused reload).
    case tempFail = 75
    /// EX_CONFIG: the configuration is unusable.
    case config = 78
}

/// An operational failure: the message goes to standard error, the status is the exit status.
/// Every command ends this way; `scanmilterctl`'s `main` prints and exits.
struct CLIFailure: Error, CustomStringConvertible {
    /// What went wrong; nil when the command has already printed it (per entry, or as JSON).
    var message: String?
    /// The exit status.
    var code: SysExit

    /// A failure whose message `main` prints.
    init(_ message: String, code: SysExit) {
        self.message = message
        self.code = code
    }

    /// A failure the command has already reported; only the exit status is left.
    init(reported code: SysExit) {
        self.message = nil
        self.code = code
    }

    var description: String { message ?? "exit status \(code.rawValue)" }
}
