#if canImport(Glibc)
import Glibc
#endif
internal import CPostgres
import Foundation

/// One connection to PostgreSQL (a libpq `PGconn`), used by one thread at a time: the pool
/// hands it out and takes it back.
///
/// Every statement is sent with `PQsendQueryParams` on a non-blocking socket and answered
/// within the deadline (``PostgresOptions/timeout``): a server that accepts and then hangs, or
/// stops reading, cannot hold the caller longer. After a timeout or a lost connection the
/// connection is marked broken and the pool closes it.
public final class PostgresConnection {
    private let handle: OpaquePointer
    private let timeout: Double
    /// Set when the connection can no longer be trusted (a timeout, a broken socket).
    public private(set) var isBroken = false
    /// Statements sent since the pool last handed this connection out.
    var statementsSinceCheckout = 0

    /// Opens a connection; throws `.authentication` for refused credentials and `.connection`
    /// for everything else that keeps it from being made.
    public init(_ options: PostgresOptions) throws(PostgresError) {
        timeout = options.timeout
        // With expand_dbname the URI comes first and later keywords override it: the limits
        // are ours, the rest (hosts, TLS, target_session_attrs) the administrator's.
        var pairs: [(String, String)] = [
            ("dbname", options.uri),
            ("connect_timeout", String(max(2, Int(options.timeout.rounded(.up))))),
            ("options", "-c statement_timeout=\(max(1, Int(options.timeout * 1000)))"),
            ("client_encoding", "UTF8"),
            ("application_name", options.applicationName),
        ]
        if let password = options.password { pairs.append(("password", password)) }
        let connection = Self.connect(pairs)
        guard let connection else { throw PostgresError(.connection, "libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.errorText(connection)
            PQfinish(connection)
            let lowered = message.lowercased()
            let refused = lowered.contains("password authentication failed") || lowered.contains("no password supplied")
                || lowered.contains("authentication failed") || lowered.contains("no pg_hba.conf entry")
            throw PostgresError(refused ? .authentication : .connection, "cannot connect to \(PostgresOptions.redacted(options.uri)): \(message)")
        }
        handle = connection
        guard PQsetnonblocking(handle, 1) == 0 else {
            let message = Self.errorText(handle)
            PQfinish(handle)
            throw PostgresError(.connection, "PQsetnonblocking: \(message)")
        }
    }

    deinit { PQfinish(handle) }

    private static func connect(_ pairs: [(String, String)]) -> OpaquePointer? {
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers: [UnsafePointer<CChar>?] = keywords.map { $0.map { UnsafePointer($0) } } + [nil]
        let valuePointers: [UnsafePointer<CChar>?] = values.map { $0.map { UnsafePointer($0) } } + [nil]
        return PQconnectdbParams(keywordPointers, valuePointers, 1)
    }

    /// Whether libpq still sees the connection as up (`PQstatus`), outside a failed transaction.
    public var isUsable: Bool {
        !isBroken && PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// The server's version number (`150018` for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, ... and returns its rows
    /// (text format; `binaryResults` asks for binary, used to read `bytea` without decoding).
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = [], binaryResults: Bool = false) throws(PostgresError) -> PostgresRows {
        try send(sql, parameters, binaryResults: binaryResults)
        var rows: PostgresRows?
        var failure: PostgresError?
        while let result = try nextResult() {
            let answer = PostgresRows(result)
            if let error = answer.error { failure = failure ?? error } else { rows = answer }
        }
        if let failure { throw failure }
        guard let rows else { throw PostgresError(.unexpectedResult, "no result for: \(Self.summary(sql))") }
        return rows
    }

    /// Sends a statement and flushes it within the deadline.
    private func send(_ sql: String, _ parameters: [PostgresValue], binaryResults: Bool) throws(PostgresError) {
        guard !isBroken else { throw PostgresError(.connection, "the connection was closed after an earlier failure") }
        statementsSinceCheckout += 1
        let count = parameters.count
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        buffers.reserveCapacity(count)
        defer { buffers.forEach { $0?.deallocate() } }
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var types: [Oid] = []
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
                types.append(0)
            case .text(let text):
                let utf8 = Array(text.utf8)
                guard !utf8.contains(0) else {
                    throw PostgresError(.invalidParameter, "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold")
                }
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
                utf8.withUnsafeBytes { raw in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress ?? UnsafeRawPointer(buffer), byteCount: utf8.count)
                }
                buffer[utf8.count] = 0
                buffers.append(buffer)
                lengths.append(Int32(utf8.count))
                formats.append(0)
                types.append(0)
            case .bytea(let bytes):
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count) }
                }
                buffers.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
                types.append(17)  // BYTEAOID
            }
        }
        let values: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
        let sent = PQsendQueryParams(handle, sql, Int32(count), types, values, lengths, formats, binaryResults ? 1 : 0)
        guard sent == 1 else { throw lost("PQsendQueryParams") }
        let deadline = Self.now() + timeout
        while true {
            let flushed = PQflush(handle)
            if flushed == 0 { return }
            guard flushed == 1 else { throw lost("PQflush") }
            try wait(forWriting: true, until: deadline, sql: sql)
            guard PQconsumeInput(handle) == 1 else { throw lost("PQconsumeInput") }
        }
    }

    /// The next result of the statement in flight, waiting at most the deadline; nil when done.
    private func nextResult() throws(PostgresError) -> OpaquePointer? {
        let deadline = Self.now() + timeout
        while PQisBusy(handle) == 1 {
            try wait(forWriting: false, until: deadline, sql: nil)
            guard PQconsumeInput(handle) == 1 else { throw lost("PQconsumeInput") }
        }
        return PQgetResult(handle)
    }

    private func wait(forWriting: Bool, until deadline: Double, sql: String?) throws(PostgresError) {
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw lost("PQsocket") }
        while true {
            let remaining = deadline - Self.now()
            guard remaining > 0 else {
                isBroken = true
                throw PostgresError(.timeout, "no answer from the server within \(timeout) s" + (sql.map { " to: \(Self.summary($0))" } ?? ""))
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN) | (forWriting ? Int16(POLLOUT) : 0), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000 + 1, 60_000)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw lost("poll") }
        }
    }

    /// Marks the connection broken and describes why.
    private func lost(_ function: String) -> PostgresError {
        isBroken = true
        return PostgresError(.connection, "\(function): \(Self.errorText(handle))")
    }

    static func errorText(_ connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown error" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "connection lost" : message.replacingOccurrences(of: "\n", with: "; ")
    }

    /// The start of a statement, for errors (never its parameters).
    static func summary(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > 60 ? String(flat.prefix(60)) + "..." : flat
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

