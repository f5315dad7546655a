/// A call into libclamav or libfreshclam that failed: which C function, the library's error
/// constant and what the library said. One shape for both libraries; `Library` only keeps
/// their codes apart (``ClamAVError``, ``FreshclamError``).
public struct LibraryCallError<Library>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, named after the library's error constant where there is one
    /// (`CL_EMALFDB`, `FC_EBADCVD`), or a lower-case name for a check made before the call.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The constant's name, e.g. `CL_EMALFDB`.
        public let name: String
        /// Makes a code from its name.
        public init(_ name: String) { self.name = name }
        /// The name.
        public var description: String { name }
    }

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

/// Marks errors of libclamav (`cl_error_t`).
public enum LibClamAV {}
/// Marks errors of libfreshclam (`fc_error_t`).
public enum LibFreshclam {}

/// A libclamav call that failed: which C function, its `cl_error_t` and what libclamav said.
public typealias ClamAVError = LibraryCallError<LibClamAV>
/// A libfreshclam call that failed: which C function, its `fc_error_t`, and what libfreshclam
/// logged about it (its return codes alone rarely say which file or server was at fault).
public typealias FreshclamError = LibraryCallError<LibFreshclam>
