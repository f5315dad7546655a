public import ErrorCodes

/// A libarchive failure: which C function failed, libarchive's message and errno.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch with a default.
    public typealias Code = ErrorCode<ArchiveError>

    /// The kind of failure.
    public var code: Code
    /// The libarchive function that reported it, e.g. `archive_read_next_header`.
    public var function: String
    /// libarchive's message (`archive_error_string`), or ours when it gave none.
    public var message: String
    /// libarchive's `archive_errno`, 0 when it set none.
    public var errno: Int32

    /// Creates an error naming the failed libarchive function.
    public init(_ code: Code, function: String, message: String, errno: Int32 = 0) {
        self.code = code
        self.function = function
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(function) failed (\(code)): \(message)" }
}

extension ArchiveError.Code {
    /// A reader could not be allocated or configured (no input involved).
    public static var setup: Self { Self("setup") }
    /// An entry header could not be read: truncated or corrupt input.
    public static var header: Self { Self("header") }
    /// An entry's data could not be read: truncated, corrupt or unsupported compression.
    public static var data: Self { Self("data") }
    /// Content that looked like an archive could not be opened.
    public static var open: Self { Self("open") }
}
