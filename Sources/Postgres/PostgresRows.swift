internal import CPostgres

/// The rows of one result (a libpq `PGresult`, freed with the value). Values are read by row
/// number and column name; a NULL or a value of the wrong shape where the statement promises
/// otherwise is an `.unexpectedResult` error, never a crash.
public final class PostgresRows {
    private let result: OpaquePointer
    /// Binary results carry `bytea` as raw bytes and `text` as its UTF-8.
    private let binary: Bool

    init(_ result: OpaquePointer) {
        self.result = result
        binary = PQnfields(result) > 0 && PQfformat(result, 0) == 1
    }

    deinit { PQclear(result) }

    /// The error this result carries, if the statement failed.
    var error: PostgresError? {
        let status = PQresultStatus(result)
        guard status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE else { return nil }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let message = primary ?? PQresultErrorMessage(result).map { String(cString: $0) } ?? "statement failed"
        let code: PostgresError.Code
        if let state, state.hasPrefix("28") {
            code = .authentication
        } else if let state, state.hasPrefix("08") {
            code = .connection
        } else {
            code = .server
        }
        return PostgresError(code, message, sqlState: state)
    }

    /// Rows in the result.
    public var count: Int { Int(PQntuples(result)) }

    /// Rows an INSERT, UPDATE or DELETE changed (`PQcmdTuples`).
    public var affectedRows: Int {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    private func column(_ name: String) throws(PostgresError) -> Int32 {
        let number = PQfnumber(result, name)
        guard number >= 0 else { throw PostgresError(.unexpectedResult, "the result has no column \(name)") }
        return number
    }

    /// Whether the value is NULL.
    public func isNull(_ row: Int, _ name: String) throws(PostgresError) -> Bool {
        PQgetisnull(result, Int32(row), try column(name)) == 1
    }

    /// The raw bytes of a value (text format: its text; binary: the type's wire form), nil for NULL.
    public func bytes(_ row: Int, _ name: String) throws(PostgresError) -> [UInt8]? {
        let field = try column(name)
        guard row >= 0, row < count else { throw PostgresError(.unexpectedResult, "row \(row) of \(count)") }
        guard PQgetisnull(result, Int32(row), field) == 0 else { return nil }
        let length = Int(PQgetlength(result, Int32(row), field))
        guard let value = PQgetvalue(result, Int32(row), field), length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// A text value, nil for NULL.
    public func optionalString(_ row: Int, _ name: String) throws(PostgresError) -> String? {
        try bytes(row, name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A text value that is never NULL.
    public func string(_ row: Int, _ name: String) throws(PostgresError) -> String {
        guard let value = try optionalString(row, name) else { throw PostgresError(.unexpectedResult, "column \(name) is NULL") }
        return value
    }

    /// An integer (text format), never NULL.
    public func int(_ row: Int, _ name: String) throws(PostgresError) -> Int {
        let text = try string(row, name)
        guard !binary, let value = Int(text) else { throw PostgresError(.unexpectedResult, "column \(name) is not an integer: '\(text)'") }
        return value
    }

    /// A double (text format), nil for NULL.
    public func optionalDouble(_ row: Int, _ name: String) throws(PostgresError) -> Double? {
        guard let text = try optionalString(row, name) else { return nil }
        guard !binary, let value = Double(text) else { throw PostgresError(.unexpectedResult, "column \(name) is not a number: '\(text)'") }
        return value
    }

    /// A double (text format), never NULL.
    public func double(_ row: Int, _ name: String) throws(PostgresError) -> Double {
        guard let value = try optionalDouble(row, name) else { throw PostgresError(.unexpectedResult, "column \(name) is NULL") }
        return value
    }

    /// A boolean (text format: `t` or `f`), never NULL.
    public func bool(_ row: Int, _ name: String) throws(PostgresError) -> Bool {
        switch try string(row, name) {
        case "t": return true
        case "f": return false
        case let other: throw PostgresError(.unexpectedResult, "column \(name) is not a boolean: '\(other)'")
        }
    }
}
