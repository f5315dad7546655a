import ArgumentParser

/// `scanmilterctl quarantine`: find, inspect, release and purge quarantined mail.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Find, inspect, release and purge quarantined mail.",
        discussion: """
            The store is [quarantine] store (a shared PostgreSQL store) or [quarantine] dir of the configuration file, or --dir.
            Exit codes (sysexits): 0 done; 64 usage or a malformed id; 65 an entry is not in a state \
            for the command (already released, or a rescan finds it infected); 66 unknown id or \
            missing store; 74 I/O or index error; 75 the relay refused, the index was busy or the \
            database unreachable (try again); 78 configuration error or a schema that needs init. With several ids, the code is that of the first failure.
            """,
        subcommands: [
            QuarantineListCommand.self, QuarantineShowCommand.self, QuarantineReleaseCommand.self,
            QuarantineDeleteCommand.self, QuarantinePurgeCommand.self, QuarantineStatsCommand.self,
            QuarantineVerifyCommand.self, QuarantineAuditCommand.self, QuarantineInitCommand.self, QuarantineMigrateCommand.self,
        ]
    )
}
