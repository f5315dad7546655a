/// The kind of a failure, named by a short stable string (used in messages and `--json`
/// output). A struct rather than an enum, so that a new kind breaks no caller that switches
/// with a default.
///
/// `Domain` keeps one error type's codes apart from another's; each error type declares its
/// codes in an extension (`extension ErrorCode<UpdateFailure> { static var busy: Self { ... } }`).
public struct ErrorCode<Domain>: Sendable, Hashable, CustomStringConvertible {
    /// The code's stable name.
    public let name: String

    /// Makes a code from its name; prefer the predefined ones.
    public init(_ name: String) {
        self.name = name
    }

    /// The name.
    public var description: String { name }
}
