/// A libmagic failure: which C function failed, on what, and libmagic's own message.
public struct MagicError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch with a default.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// `magic_open` could not allocate a handle.
        public static let openFailed = Code("open")
        /// The magic database could not be loaded (missing, unreadable, wrong version).
        public static let databaseLoad = Code("database")
        /// A parameter or flag could not be set on a handle.
        public static let setup = Code("setup")
        /// libmagic could not classify a buffer.
        public static let detection = Code("detection")
    }

    /// The kind of failure.
    public var code: Code
    /// The libmagic function that reported it, e.g. `magic_load`.
    public var function: String
    /// libmagic's message (`magic_error`), or ours when libmagic gave none.
    public var message: String

    public init(_ code: Code, function: String, message: String) {
        self.code = code
        self.function = function
        self.message = message
    }

    public var description: String { "\(function) failed (\(code)): \(message)" }
}
