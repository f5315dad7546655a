import Foundation

/// A few connections shared by many threads (the daemon's milter workers, its retention
/// timer): a caller borrows one for a statement or a transaction and gives it back.
///
/// A connection that broke (a server restart, a failover, a timeout) is closed instead of
/// given back, and the next borrower gets a new one. When a borrowed connection turns out to
/// be dead on its very first statement — it went stale while idle — the work is retried once
/// on a fresh connection: nothing of it can have reached the server.
public final class PostgresPool: @unchecked Sendable {
    // @unchecked Sendable: `idle` and `open` are only touched with `condition` locked; the
    // options are immutable.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false
    /// Where and how to connect.
    public let options: PostgresOptions

    /// A pool that opens connections as they are needed, up to `options.maxConnections`.
    public init(_ options: PostgresOptions) {
        self.options = options
    }

    /// Runs `body` with a connection of its own. Errors are ``PostgresError``s, or what `body` threw.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try checkOut()
            do {
                let value = try body(connection)
                checkIn(connection)
                return value
            } catch let error as PostgresError {
                let stale = reused && connection.statementsSinceCheckout == 1 && error.isConnectionFailure
                checkIn(connection)
                if stale && attempt == 1 { continue }
                throw error
            } catch {
                checkIn(connection)
                throw error
            }
        }
    }

    /// Runs `body` in a transaction (BEGIN ... COMMIT) on a connection of its own; rolls back
    /// when it throws. When this returns, the transaction is committed.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.query("BEGIN")
            let value: T
            do {
                value = try body(connection)
            } catch {
                if !connection.isBroken { _ = try? connection.query("ROLLBACK") }
                throw error
            }
            try connection.query("COMMIT")
            return value
        }
    }

    /// Closes the idle connections; borrowed ones close when given back.
    public func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle = []
        open -= connections.count
        condition.broadcast()
        condition.unlock()
        _ = connections  // released here, outside the lock: PQfinish may talk to the server
    }

    private func checkOut() throws(PostgresError) -> (PostgresConnection, reused: Bool) {
        let deadline = Date().addingTimeInterval(options.timeout)
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw PostgresError(.connection, "the connection pool is closed")
            }
            if let connection = idle.popLast() {
                condition.unlock()
                if connection.isUsable {
                    connection.statementsSinceCheckout = 0
                    return (connection, true)
                }
                discard()
                condition.lock()
                continue
            }
            if open < options.maxConnections {
                open += 1
                condition.unlock()
                do {
                    return (try PostgresConnection(options), false)
                } catch {
                    discard()
                    throw error
                }
            }
            guard condition.wait(until: deadline) else {
                condition.unlock()
                throw PostgresError(.timeout, "all \(options.maxConnections) database connections stayed busy for \(options.timeout) s")
            }
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard connection.isUsable else {
            discard()
            return
        }
        condition.lock()
        if closed {
            open -= 1
        } else {
            idle.append(connection)
        }
        condition.signal()
        condition.unlock()
    }

    private func discard() {
        condition.lock()
        open -= 1
        condition.signal()
        condition.unlock()
    }
}
