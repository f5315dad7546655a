internal import CClamAV

/// A libclamav call that failed: which C function, its `cl_error_t` and what libclamav said.
public struct ClamAVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, named after libclamav's `cl_error_t` constant where there is one.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The constant's name, e.g. `CL_EMALFDB`.
        public let name: String
        /// Makes a code from its name.
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A database file is malformed (`CL_EMALFDB`).
        public static let malformedDatabase = Code("CL_EMALFDB")
        /// A CVD container is broken (`CL_ECVD`).
        public static let brokenCVD = Code("CL_ECVD")
        /// A signed database failed verification (`CL_EVERIFY`).
        public static let verificationFailed = Code("CL_EVERIFY")
        /// A file or directory could not be opened (`CL_EOPEN`).
        public static let openFailed = Code("CL_EOPEN")
        /// Out of memory (`CL_EMEM`).
        public static let outOfMemory = Code("CL_EMEM")
        /// The scan ran past MaxScanTime (`CL_ETIMEOUT`).
        public static let timeout = Code("CL_ETIMEOUT")
        /// The database directory does not exist or is not a directory (checked before libclamav).
        public static let databaseDirectoryMissing = Code("database-directory-missing")
        /// The database directory holds no file libclamav loads (checked before libclamav).
        public static let databaseDirectoryEmpty = Code("database-directory-empty")
        /// A C call returned NULL.
        public static let nullResult = Code("null-result")
    }

    /// The C function that failed, e.g. `cl_load`.
    public var function: String
    /// What kind of failure.
    public var code: Code
    /// libclamav's description of the code, plus the messages it logged during the call.
    public var message: String

    /// Makes an error.
    public init(function: String, code: Code, message: String) {
        self.function = function
        self.code = code
        self.message = message
    }

    public var description: String { "\(function): \(message) (\(code))" }
}

extension ClamAVError.Code {
    /// The code for a `cl_error_t` value.
    init(_ value: cl_error_t) {
        self.init(Self.names[Int(value.rawValue)] ?? "cl_error_t(\(value.rawValue))")
    }

    /// `cl_error_t` constant names in declaration order (clamav.h).
    private static let names: [Int: String] = {
        let list = [
            "CL_SUCCESS", "CL_VIRUS", "CL_ENULLARG", "CL_EARG", "CL_EMALFDB", "CL_ECVD", "CL_EVERIFY",
            "CL_EUNPACK", "CL_EOPEN", "CL_ECREAT", "CL_EUNLINK", "CL_ESTAT", "CL_EREAD", "CL_ESEEK",
            "CL_EWRITE", "CL_EDUP", "CL_EACCES", "CL_ETMPFILE", "CL_ETMPDIR", "CL_EMAP", "CL_EMEM",
            "CL_ETIMEOUT", "CL_BREAK", "CL_EMAXREC", "CL_EMAXSIZE", "CL_EMAXFILES", "CL_EFORMAT",
            "CL_EPARSE", "CL_EBYTECODE", "CL_EBYTECODE_TESTFAIL", "CL_ELOCK", "CL_EBUSY", "CL_ESTATE",
            "CL_VERIFIED", "CL_ERROR",
        ]
        return Dictionary(uniqueKeysWithValues: list.enumerated().map { ($0.offset, $0.element) })
    }()
}

extension ClamAVError {
    /// The error for `value` returned by `function`, with libclamav's text and any logged detail.
    init(function: String, value: cl_error_t, detail: [String] = []) {
        var message = String(cString: cl_strerror(value))
        if !detail.isEmpty { message += ": " + detail.joined(separator: "; ") }
        self.init(function: function, code: Code(value), message: message)
    }
}

/// The one funnel for libclamav return codes: runs `body`, and turns anything but `CL_SUCCESS`
/// into a ``ClamAVError`` naming `function`, with the errors libclamav logged meanwhile.
func check(_ function: String, _ body: () -> cl_error_t) throws(ClamAVError) {
    let (value, logged) = LibraryMessages.capturing(body)
    guard value == CL_SUCCESS else {
        throw ClamAVError(function: function, value: value, detail: logged)
    }
}
