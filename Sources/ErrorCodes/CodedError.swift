/// A failure of one kind with one line for the administrator: what failed and where. The shape
/// of errors that name no C call (updates, the quarantine); `Domain` keeps their codes apart.
public struct CodedError<Domain>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; callers choose exit codes and replies by it.
    public typealias Code = ErrorCode<Domain>

    /// What kind of failure.
    public var code: Code
    /// What failed, naming the file, id, server or statement.
    public var message: String

    /// An error of `code` saying `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
