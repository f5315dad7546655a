internal import CClamAV

/// A libfreshclam call that failed: which C function, its `fc_error_t`, and what libfreshclam
/// logged about it (its return codes alone rarely say which file or server was at fault).
public struct FreshclamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, named after libfreshclam's `fc_error_t` constant where there is one.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The constant's name, e.g. `FC_EBADCVD`.
        public let name: String
        /// Makes a code from its name.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A server could not be reached (`FC_ECONNECTION`).
        public static let connection = Code("FC_ECONNECTION")
        /// An HTTP request failed or found nothing (`FC_EFAILEDGET`).
        public static let failedGet = Code("FC_EFAILEDGET")
        /// A signed database or patch failed verification (`FC_EBADCVD`).
        public static let badCVD = Code("FC_EBADCVD")
        /// A downloaded file failed its load test (`FC_ETESTFAIL`).
        public static let testFailed = Code("FC_ETESTFAIL")
        /// A downloaded file was empty (`FC_EEMPTYFILE`).
        public static let emptyFile = Code("FC_EEMPTYFILE")
        /// The database directory could not be written (`FC_EDBDIRACCESS`).
        public static let directoryAccess = Code("FC_EDBDIRACCESS")
        /// The mirror refused us (HTTP 403); libfreshclam then waits out a cool-down (`FC_EFORBIDDEN`).
        public static let forbidden = Code("FC_EFORBIDDEN")
        /// The mirror asked us to come back later (HTTP 429); cool-down as for 403 (`FC_ERETRYLATER`).
        public static let retryLater = Code("FC_ERETRYLATER")
        /// The mirror serves an older version than DNS announced (`FC_EMIRRORNOTSYNC`).
        public static let mirrorNotSynchronised = Code("FC_EMIRRORNOTSYNC")
        /// Another libfreshclam session is open in this process (checked before libfreshclam).
        public static let sessionBusy = Code("session-busy")
    }

    /// The C function that failed, e.g. `fc_update_database`.
    public var function: String
    /// What kind of failure.
    public var code: Code
    /// libfreshclam's description of the code, plus the errors it logged during the call.
    public var message: String

    /// Makes an error.
    public init(function: String, code: Code, message: String) {
        self.function = function
        self.code = code
        self.message = message
    }

    public var description: String { "\(function): \(message) (\(code))" }
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
