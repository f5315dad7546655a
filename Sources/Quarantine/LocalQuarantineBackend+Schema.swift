internal import GRDB

extension LocalQuarantineBackend {
    /// The index schema, one migration per change; a newer daemon upgrades an older store in place.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: entries, recipients, findings, releases") { db in
            try db.execute(sql: """
                CREATE TABLE entry (
                    id TEXT PRIMARY KEY NOT NULL,
                    received_at REAL NOT NULL,
                    queue_id TEXT NOT NULL DEFAULT '',
                    client_address TEXT NOT NULL DEFAULT '',
                    client_helo TEXT NOT NULL DEFAULT '',
                    sender TEXT NOT NULL,
                    sender_parameters TEXT NOT NULL DEFAULT '',
                    subject TEXT NOT NULL DEFAULT '',
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL DEFAULT '',
                    verdict TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('quarantine', 'hold')),
                    status TEXT NOT NULL CHECK (status IN ('held', 'releasing', 'released', 'deleted')),
                    status_reason TEXT NOT NULL DEFAULT '',
                    status_changed_at REAL NOT NULL,
                    signature_version TEXT NOT NULL DEFAULT '',
                    postfix_config_directory TEXT
                );
                CREATE INDEX entry_received_at ON entry (received_at);
                CREATE INDEX entry_queue_id ON entry (queue_id);
                CREATE INDEX entry_status ON entry (status);
                CREATE TABLE recipient (
                    entry_id TEXT NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    address TEXT NOT NULL,
                    parameters TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY (entry_id, position)
                );
                CREATE INDEX recipient_address ON recipient (address);
                CREATE TABLE finding (
                    entry_id TEXT NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (entry_id, position)
                );
                CREATE INDEX finding_name ON finding (name);
                CREATE TABLE release (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    entry_id TEXT NOT NULL REFERENCES entry (id) ON DELETE CASCADE,
                    released_at REAL NOT NULL,
                    released_by TEXT NOT NULL,
                    recipients TEXT NOT NULL,
                    relay TEXT NOT NULL,
                    reply TEXT NOT NULL,
                    delivered INTEGER NOT NULL
                );
                CREATE INDEX release_entry ON release (entry_id);
                """)
        }
        migrator.registerMigration("v2: the host that quarantined, the audit log") { db in
            try db.execute(sql: """
                ALTER TABLE entry ADD COLUMN host TEXT NOT NULL DEFAULT '';
                CREATE INDEX entry_host ON entry (host);
                CREATE INDEX entry_verdict ON entry (verdict);
                CREATE TABLE audit (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entry_id TEXT,
                    origin TEXT NOT NULL DEFAULT '',
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX audit_at ON audit (at);
                CREATE INDEX audit_entry ON audit (entry_id);
                """)
        }
        return migrator
    }()
}
