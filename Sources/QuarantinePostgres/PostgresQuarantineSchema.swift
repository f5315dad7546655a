public import Logging
public import Postgres
public import Quarantine

/// The shared store's schema: numbered migrations recorded in `schema_version`, applied only
/// by `scanmilterctl quarantine init` (never by the daemon, which refuses to start on any
/// other version than ``current``).
public enum PostgresQuarantineSchema {
    /// One step of the schema: its number, what it does, and its statements (libpq runs one
    /// statement per call with parameters, so they are listed one by one).
    struct Migration {
        var version: Int
        var description: String
        var statements: [String]
    }

    /// The schema version this build reads and writes.
    public static var current: Int { migrations.count }

    /// Serialises concurrent `init` runs (a transaction advisory lock).
    static let migrationLockKey = 0x7363_616E_6D69_6C74  // "scanmilt"

    static let migrations: [Migration] = [
        Migration(version: 1, description: "entries, recipients, findings, releases, audit log, message chunks", statements: [
            // Times are seconds since 1970 as in the local store's index, so both backends
            // sort, filter and report alike.
            """
            CREATE TABLE entry (
                id text PRIMARY KEY,
                received_at double precision NOT NULL,
                queue_id text NOT NULL DEFAULT '',
                client_address text NOT NULL DEFAULT '',
                client_helo text NOT NULL DEFAULT '',
                sender text NOT NULL,
                sender_parameters text NOT NULL DEFAULT '',
                subject text NOT NULL DEFAULT '',
                size bigint NOT NULL,
                sha256 text NOT NULL DEFAULT '',
                verdict text NOT NULL,
                action text NOT NULL CHECK (action IN ('quarantine', 'hold')),
                status text NOT NULL CHECK (status IN ('held', 'releasing', 'released', 'deleted')),
                status_reason text NOT NULL DEFAULT '',
                status_changed_at double precision NOT NULL,
                signature_version text NOT NULL DEFAULT '',
                postfix_config_directory text,
                host text NOT NULL DEFAULT ''
            )
            """,
            "CREATE INDEX entry_received_at ON entry (received_at)",
            "CREATE INDEX entry_queue_id ON entry (queue_id)",
            "CREATE INDEX entry_status ON entry (status)",
            "CREATE INDEX entry_host ON entry (host)",
            "CREATE INDEX entry_verdict ON entry (verdict)",
            """
            CREATE TABLE recipient (
                entry_id text NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                position integer NOT NULL,
                address text NOT NULL,
                parameters text NOT NULL DEFAULT '',
                PRIMARY KEY (entry_id, position)
            )
            """,
            "CREATE INDEX recipient_address ON recipient (address)",
            """
            CREATE TABLE finding (
                entry_id text NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                position integer NOT NULL,
                name text NOT NULL,
                PRIMARY KEY (entry_id, position)
            )
            """,
            "CREATE INDEX finding_name ON finding (name)",
            """
            CREATE TABLE release (
                number bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                entry_id text NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                released_at double precision NOT NULL,
                released_by text NOT NULL,
                recipients text NOT NULL,
                relay text NOT NULL,
                reply text NOT NULL,
                delivered boolean NOT NULL
            )
            """,
            "CREATE INDEX release_entry ON release (entry_id)",
            """
            CREATE TABLE audit (
                number bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at double precision NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                entry_id text,
                origin text NOT NULL DEFAULT '',
                detail text NOT NULL DEFAULT ''
            )
            """,
            "CREATE INDEX audit_at ON audit (at)",
            "CREATE INDEX audit_entry ON audit (entry_id)",
            """
            CREATE TABLE chunk (
                entry_id text NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                number integer NOT NULL CHECK (number >= 0),
                bytes bytea NOT NULL CHECK (length(bytes) <= 1048576),
                sha256 text NOT NULL,
                PRIMARY KEY (entry_id, number)
            )
            """,
            // Mail that was worth quarantining is mostly base64 attachments, which pglz does
            // not shrink: storing chunks uncompressed saves the server the attempt.
            "ALTER TABLE chunk ALTER COLUMN bytes SET STORAGE EXTERNAL",
        ]),
    ]

    /// The version recorded in the database: 0 when it has no schema yet.
    static func installedVersion(_ connection: PostgresConnection) throws -> Int {
        let exists = try connection.query("SELECT to_regclass('schema_version') IS NOT NULL AS present").bool(0, "present")
        guard exists else { return 0 }
        let rows = try connection.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_version")
        return try rows.int(0, "version")
    }

    /// Refuses a database whose schema is not ``current``, naming what to do.
    static func check(_ pool: PostgresPool, location: String) throws(QuarantineError) {
        let installed: Int
        do {
            installed = try pool.withConnection { try installedVersion($0) }
        } catch {
            throw PostgresQuarantineBackend.failure(error, "read the schema version", location: location)
        }
        if installed == current { return }
        if installed > current {
            throw QuarantineError(.schemaMismatch, "quarantine database \(location) has schema version \(installed), newer than this scanmilter's (\(current)): upgrade scanmilter")
        }
        let state = installed == 0 ? "has no quarantine schema" : "has schema version \(installed), this scanmilter needs \(current)"
        throw QuarantineError(.schemaMismatch, "quarantine database \(location) \(state): run scanmilterctl quarantine init --config FILE")
    }

    /// Brings the schema to ``current``, each migration in its own transaction, and returns the
    /// versions applied (none when it was current: running it again changes nothing). Refuses a
    /// newer schema and a database whose encoding is not UTF8.
    public static func migrate(_ options: PostgresOptions, logger: Logger) throws(QuarantineError) -> [Int] {
        let pool = PostgresPool(options)
        defer { pool.close() }
        let location = PostgresOptions.redacted(options.uri)
        do {
            return try pool.withConnection { connection in
                let encoding = try connection.query("SELECT current_setting('server_encoding') AS encoding").string(0, "encoding")
                guard encoding == "UTF8" else {
                    throw QuarantineError(.invalidArgument, "quarantine database \(location) has encoding \(encoding); create it with ENCODING 'UTF8'")
                }
                var applied: [Int] = []
                for migration in migrations {
                    try connection.query("BEGIN")
                    do {
                        try connection.query("SELECT pg_advisory_xact_lock($1::bigint)", [.int(migrationLockKey)])
                        try connection.query("""
                            CREATE TABLE IF NOT EXISTS schema_version (
                                version integer PRIMARY KEY,
                                description text NOT NULL,
                                applied_at timestamptz NOT NULL DEFAULT now()
                            )
                            """)
                        let installed = try installedVersion(connection)
                        if installed > current {
                            throw QuarantineError(.schemaMismatch, "quarantine database \(location) has schema version \(installed), newer than this scanmilter's (\(current)): upgrade scanmilter")
                        }
                        if installed < migration.version {
                            for statement in migration.statements { try connection.query(statement) }
                            try connection.query(
                                "INSERT INTO schema_version (version, description) VALUES ($1, $2)",
                                [.int(migration.version), .text(migration.description)])
                            applied.append(migration.version)
                        }
                        try connection.query("COMMIT")
                    } catch {
                        if !connection.isBroken { _ = try? connection.query("ROLLBACK") }
                        throw error
                    }
                    if applied.last == migration.version {
                        logger.notice("quarantine schema migrated", metadata: ["schema.version": "\(migration.version)", "store": "\(location)"])
                    }
                }
                return applied
            }
        } catch {
            throw PostgresQuarantineBackend.failure(error, "migrate the schema", location: location)
        }
    }
}
