/// A call into a C library that failed: which C function, the library's error constant and
/// what the library said. One shape for every wrapped library; `Library` only keeps their codes
/// apart (`ClamAVError`, `FreshclamError`, `MagicError`).
public struct LibraryCallError<Library>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, named after the library's error constant where there is one
    /// (`CL_EMALFDB`, `FC_EBADCVD`), or a lower-case name for a check made before the call.
    public typealias Code = ErrorCode<Library>

    /// The C function that failed, e.g. `cl_load` or `fc_update_database`.
    public var function: String
    /// What kind of failure.
    public var code: Code
    /// The library's description of the code, plus the messages it logged during the call.
    public var message: String

    /// Makes an error.
    public init(function: String, code: Code, message: String) {
        self.function = function
        self.code = code
        self.message = message
    }

    /// `function: message (CODE)`.
    public var description: String { "\(function): \(message) (\(code))" }
}
