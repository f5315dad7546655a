/// A failure talking to one clamd server: what went wrong, with which server.
///
/// These are transport failures (the server could not be reached or misbehaved); what clamd
/// says about content (found, clean, size limit, scan error) is a `ScanVerdict` instead.
public struct ClamdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch with a default.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The endpoint is malformed (bad address, path too long for a unix socket).
        public static let badEndpoint = Code("endpoint")
        /// The connection was refused or could not be made.
        public static let connect = Code("connect")
        /// The server did not answer or accept data in time.
        public static let timeout = Code("timeout")
        /// Sending or receiving failed, or the server closed the connection early.
        public static let io = Code("io")
        /// The server answered something this client does not understand.
        public static let protocolViolation = Code("protocol")
        /// The server reported a failure of its own (temporary files, timeouts), not of the content.
        public static let serverError = Code("server")
        /// A file to scan could not be read.
        public static let fileRead = Code("file")
    }

    /// The kind of failure.
    public var code: Code
    /// The server involved.
    public var endpoint: String
    /// What happened, e.g. the system call and errno text.
    public var message: String

    public init(_ code: Code, endpoint: String, message: String) {
        self.code = code
        self.endpoint = endpoint
        self.message = message
    }

    public var description: String { "clamd \(endpoint): \(code): \(message)" }
}
