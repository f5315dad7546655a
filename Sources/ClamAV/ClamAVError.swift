internal import CClamAV
public import ErrorCodes

/// Marks errors of libclamav (`cl_error_t`).
public enum LibClamAV {}

/// A libclamav call that failed: which C function, its `cl_error_t` and what libclamav said.
public typealias ClamAVError = LibraryCallError<LibClamAV>

extension ClamAVError.Code {
    /// A database file is malformed (`CL_EMALFDB`).
    public static var malformedDatabase: Self { Self(CL_EMALFDB) }
    /// A CVD container is broken (`CL_ECVD`).
    public static var brokenCVD: Self { Self(CL_ECVD) }
    /// A signed database failed verification (`CL_EVERIFY`).
    public static var verificationFailed: Self { Self(CL_EVERIFY) }
    /// A file or directory could not be opened (`CL_EOPEN`).
    public static var openFailed: Self { Self(CL_EOPEN) }
    /// Out of memory (`CL_EMEM`).
    public static var outOfMemory: Self { Self(CL_EMEM) }
    /// The scan ran past MaxScanTime (`CL_ETIMEOUT`).
    public static var timeout: Self { Self(CL_ETIMEOUT) }
    /// The database directory does not exist or is not a directory (checked before libclamav).
    public static var databaseDirectoryMissing: Self { Self("database-directory-missing") }
    /// The database directory holds no file libclamav loads (checked before libclamav).
    public static var databaseDirectoryEmpty: Self { Self("database-directory-empty") }
    /// A C call returned NULL.
    public static var nullResult: Self { Self("null-result") }
}

extension ClamAVError.Code {
    /// The code for a `cl_error_t` value.
    init(_ value: cl_error_t) {
        self.init(clErrorNames[Int(value.rawValue)] ?? "cl_error_t(\(value.rawValue))")
    }
}

/// `cl_error_t` constant names in declaration order (clamav.h).
private let clErrorNames: [Int: String] = {
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
