internal import CClamAV
public import ErrorCodes

/// Marks errors of libfreshclam (`fc_error_t`).
public enum LibFreshclam {}

/// A libfreshclam call that failed: which C function, its `fc_error_t`, and what libfreshclam
/// logged about it (its return codes alone rarely say which file or server was at fault).
public typealias FreshclamError = LibraryCallError<LibFreshclam>

extension FreshclamError.Code {
    /// A server could not be reached (`FC_ECONNECTION`).
    public static var connection: Self { Self(FC_ECONNECTION) }
    /// An HTTP request failed or found nothing (`FC_EFAILEDGET`).
    public static var failedGet: Self { Self(FC_EFAILEDGET) }
    /// A signed database or patch failed verification (`FC_EBADCVD`).
    public static var badCVD: Self { Self(FC_EBADCVD) }
    /// A downloaded file failed its load test (`FC_ETESTFAIL`).
    public static var testFailed: Self { Self(FC_ETESTFAIL) }
    /// A downloaded file was empty (`FC_EEMPTYFILE`).
    public static var emptyFile: Self { Self(FC_EEMPTYFILE) }
    /// The database directory could not be written (`FC_EDBDIRACCESS`).
    public static var directoryAccess: Self { Self(FC_EDBDIRACCESS) }
    /// The mirror refused us (HTTP 403); libfreshclam then waits out a cool-down (`FC_EFORBIDDEN`).
    public static var forbidden: Self { Self(FC_EFORBIDDEN) }
    /// The mirror asked us to come back later (HTTP 429); cool-down as for 403 (`FC_ERETRYLATER`).
    public static var retryLater: Self { Self(FC_ERETRYLATER) }
    /// The mirror serves an older version than DNS announced (`FC_EMIRRORNOTSYNC`).
    public static var mirrorNotSynchronised: Self { Self(FC_EMIRRORNOTSYNC) }
    /// Another libfreshclam session is open in this process (checked before libfreshclam).
    public static var sessionBusy: Self { Self("session-busy") }
}

extension FreshclamError.Code {
    /// The code for an `fc_error_t` value.
    init(_ value: fc_error_t) {
        let names = [
            "FC_SUCCESS", "FC_UPTODATE", "FC_EINIT", "FC_EDIRECTORY", "FC_EFILE", "FC_ECONNECTION",
            "FC_EEMPTYFILE", "FC_EBADCVD", "FC_ETESTFAIL", "FC_ECONFIG", "FC_EDBDIRACCESS", "FC_EFAILEDGET",
            "FC_EMIRRORNOTSYNC", "FC_ELOGGING", "FC_EFAILEDUPDATE", "FC_EMEM", "FC_EARG", "FC_EFORBIDDEN",
            "FC_ERETRYLATER", "FC_ERROR",
        ]
        let index = Int(value.rawValue)
        self.init(names.indices.contains(index) ? names[index] : "fc_error_t(\(value.rawValue))")
    }
}

extension FreshclamError {
    /// The error for `value` returned by `function`, with libfreshclam's text and logged detail.
    init(function: String, value: fc_error_t, detail: [String]) {
        var message = String(cString: fc_strerror(value))
        if !detail.isEmpty { message += ": " + detail.joined(separator: "; ") }
        self.init(function: function, code: Code(value), message: message)
    }
}
