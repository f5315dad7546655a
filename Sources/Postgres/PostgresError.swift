public import ErrorCodes

/// Marks PostgreSQL errors.
public enum PostgresFailure {}

/// A PostgreSQL call that failed: the kind, the server's SQLSTATE when it sent one, and what
/// libpq or the server said.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; callers decide by it (and by ``sqlState``).
    public typealias Code = ErrorCode<PostgresFailure>

    /// What kind of failure.
    public var code: Code
    /// The five-character SQLSTATE the server sent (`23505`, `57014`, ...); nil when the
    /// failure was on the client side or the connection.
    public var sqlState: String?
    /// What failed, in libpq's or the server's words.
    public var message: String

    /// An error of `code`.
    public init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    /// `message (SQLSTATE)`.
    public var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// Whether the connection it happened on is gone: the statement may be retried on a new one
    /// only when it was the connection's first (nothing of it can have been committed).
    public var isConnectionFailure: Bool {
        code == .connection || code == .timeout || (sqlState?.hasPrefix("08") ?? false)
            || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }
}

extension PostgresError.Code {
    /// The server could not be reached, refused the connection, or the connection broke.
    public static var connection: Self { Self("connection") }
    /// The server refused the credentials (SQLSTATE class 28, or no password was supplied).
    public static var authentication: Self { Self("authentication") }
    /// No answer within the deadline; the connection is closed.
    public static var timeout: Self { Self("timeout") }
    /// The server ran the statement and refused it; ``PostgresError/sqlState`` says why.
    public static var server: Self { Self("server") }
    /// A parameter cannot be sent (text with a NUL byte, which PostgreSQL text cannot hold).
    public static var invalidParameter: Self { Self("invalid parameter") }
    /// A result had another shape than the statement promises (a NULL, a wrong type).
    public static var unexpectedResult: Self { Self("unexpected result") }
}
