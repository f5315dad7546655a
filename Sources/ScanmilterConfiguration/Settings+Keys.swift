import MilterProtocol

// Every key of the file, declared once: name, property, type (how it is read and checked) and
// meaning. The default is the property's initial value (Settings.swift). Adding a key is one
// property and one line here; conf/scanmilter.toml must then show it (a test says so).

extension MilterSettings: SettingsSection {
    static let name = "milter"
    static var settings: [Setting<Self>] {
        [
            Setting("socket", \.socket, .string.checked(Self.socketProblem), "unix:/path, inet:PORT@HOST or inet6:PORT@HOST; Postfix: smtpd_milters"),
            Setting("timeout", \.timeout, .seconds, "how long libmilter waits for Postfix on a connection"),
            Setting("socket_owner", \.socketOwner, .string, "unix socket owner (empty: the process's user)"),
            Setting("socket_group", \.socketGroup, .string, "unix socket group, e.g. \"postfix\""),
            Setting("socket_mode", \.socketMode, SettingType.string.converted(Self.octalMode), "unix socket permissions"),
            Setting("backlog", \.backlog, .integer(1...65535), "listen queue length"),
            Setting("user", \.user, .string, "drop to this user after opening the socket (empty: stay)"),
            Setting("group", \.group, .string, "and this group"),
            Setting("pidfile", \.pidfile, .string, "write the process id here (empty: none)"),
            Setting("shutdown_timeout", \.shutdownTimeout, .seconds, "on SIGTERM, how long messages in flight may take to finish"),
            Setting("control_socket", \.controlSocket, .string, "scanmilterctl reload/status talk here (empty: off)"),
        ]
    }

    private static func socketProblem(_ socket: String) -> String? {
        let prefixes = ["unix:", "local:", "inet:", "inet6:"]
        if prefixes.contains(where: { socket.hasPrefix($0) }) && socket.count > 5 { return nil }
        return "'\(socket)' is not a socket spec; use unix:/path, inet:PORT@HOST or inet6:PORT@HOST"
    }

    private static func octalMode(_ text: String) -> Result<UInt32, ConfigurationMessage> {
        guard let mode = UInt32(text, radix: 8), mode <= 0o777 else {
            return .failure(ConfigurationMessage("'\(text)' is not an octal mode such as \"0660\""))
        }
        return .success(mode)
    }
}

extension ScanSettings: SettingsSection {
    static let name = "scan"
    static var settings: [Setting<Self>] {
        [
            Setting("backend", \.backend, .choice, "clamav (embedded libclamav) or clamd"),
            Setting("database_dir", \.databaseDir, .string, "signatures for the embedded engine"),
            Setting("clamd_servers", \.clamdServers, .strings, "for backend = \"clamd\": \"unix:/run/clamav/clamd.ctl\" or \"HOST:PORT\" (\"HOST:PORT max_threads=N\": that server's own)"),
            Setting("clamd_max_threads", \.clamdMaxThreads, .integer(1...4096), "scans each clamd server runs at once: its MaxThreads"),
            Setting("clamd_timeout", \.clamdTimeout, .seconds, "one clamd request"),
            Setting("max_message_size", \.maxMessageSize, .byteSize, "scanned size; past it the oversize action applies"),
            Setting("memory_threshold", \.memoryThreshold, .byteSize, "larger bodies are buffered in an unlinked temp file"),
            Setting("temp_dir", \.tempDir, .string, "those temp files, and what libclamav extracts"),
            Setting("max_concurrent_scans", \.maxConcurrentScans, .integer(0...4096), "messages scanned at once; the rest wait (0: clamav one per CPU core, clamd the pool's max_threads)"),
            Setting("mail_decoding_budget", \.mailDecodingBudget, .byteSize, "message bytes in libclamav's mail parser at once (~1.5x their size in memory)"),
            Setting("max_scan_size", \.maxScanSize, .optional(.byteSize), "bytes scanned per message, archives included"),
            Setting("max_file_size", \.maxFileSize, .optional(.byteSize), "largest file inside a message or archive"),
            Setting("max_recursion", \.maxRecursion, .optional(.integer(1...255)), "archive and container nesting"),
            Setting("max_files", \.maxFiles, .optional(.integer(1...Int(Int32.max))), "files inside one container"),
            Setting("max_scan_time", \.maxScanTime, .optional(.seconds), "time for one scan"),
            Setting("detect_pua", \.detectPUA, .bool, "report potentially unwanted applications"),
            Setting("strategy", \.strategy, .choice, "what libclamav sees besides each attachment we decode"),
            Setting("disable_cache", \.disableCache, .bool, "libclamav's cache of clean content (true: rescan repeats)"),
            Setting("alert_encrypted_archive", \.alertEncryptedArchive, .optional(.bool), "encrypted zip, rar, 7z"),
            Setting("alert_encrypted_doc", \.alertEncryptedDoc, .optional(.bool), "encrypted PDF and Office documents"),
            Setting("alert_broken_executables", \.alertBrokenExecutables, .optional(.bool), "malformed PE/ELF files"),
            Setting("alert_ole2_macros", \.alertOLE2Macros, .optional(.bool), "any Office macro"),
            Setting("alert_phishing_ssl_mismatch", \.alertPhishingSSLMismatch, .optional(.bool), "links whose text and target disagree (SSL)"),
            Setting("alert_phishing_cloak", \.alertPhishingCloak, .optional(.bool), "cloaked URLs"),
            Setting("alert_partition_intersection", \.alertPartitionIntersection, .optional(.bool), "disk images with overlapping partitions"),
            Setting("alert_exceeds_max", \.alertExceedsMax, .bool, "a scan that hits a limit is unscannable, not silently clean"),
            Setting("reload_mode", \.reloadMode, .choice, "concurrent (new engine beside the old) or in_place (less memory)"),
            Setting("reload_check_interval", \.reloadCheckInterval, .seconds, "how often database_dir is checked for new signatures (0: never)"),
            Setting("isolation", \.isolation, .choice, "workers (embedded engine in confined processes) or none (in the milter)"),
            Setting("worker_timeout", \.workerTimeout, .seconds, "one scan in a worker; past it the worker is killed"),
            Setting("worker_memory", \.workerMemory, .byteSize, "address space a worker may map beyond the engine"),
        ]
    }

    func checkTogether(_ reader: inout SectionReader) {
        if backend == .clamd && clamdServers.isEmpty {
            reader.report("clamd_servers", "backend = \"clamd\" needs at least one server, e.g. [\"unix:/run/clamav/clamd.ctl\"]")
        }
    }
}

extension PolicySettings: SettingsSection {
    static let name = "policy"
    static var settings: [Setting<Self>] {
        [
            Setting("banned_types", \.bannedTypes, .strings, "banned by detected content; \"default\" is the built-in list"),
            Setting("banned_extensions", \.bannedExtensions, .strings, "banned file-name extensions; \"default\" is what mail clients block"),
            Setting("type_mismatch", \.typeMismatch, .bool, "ban a name or declared type that disguises harmful content; record harmless mismatches"),
            Setting("check_archives", \.checkArchives, .bool, "check names and types inside zip, 7z, rar, tar and gz archives"),
            Setting("ban_encrypted_archives", \.banEncryptedArchives, .bool, "a password-protected archive cannot be checked: rule archive-encrypted"),
            Setting("ban_archive_limits", \.banArchiveLimits, .bool, "nested too deep or too many entries to check: rule archive-limits"),
            Setting("archive_password_candidates", \.archivePasswordCandidates, .integer(0...100), "passwords from the message tried on an encrypted archive, at most (0: none)"),
            Setting("trusted_networks", \.trustedNetworks, SettingType.strings.converted(Self.networks), "CIDR ranges whose mail is not scanned, e.g. [\"10.0.0.0/8\"]"),
            Setting("skip_authenticated", \.skipAuthenticated, .bool, "do not scan mail from SMTP-authenticated senders"),
            Setting("sender_allowlist", \.senderAllowlist, .strings, "senders (\"user@example.org\" or \"@example.org\") never scanned"),
            Setting("recipient_allowlist", \.recipientAllowlist, .strings, "recipients never scanned (all recipients must match)"),
            Setting("max_signature_age", \.maxSignatureAge, .seconds, "older signatures make the stale action apply (0: never)"),
        ]
    }

    private static func networks(_ texts: [String]) -> Result<[IPNetwork], ConfigurationMessage> {
        var networks: [IPNetwork] = []
        for text in texts {
            guard let network = IPNetwork(text) else {
                return .failure(ConfigurationMessage("'\(text)' is not a network such as 10.0.0.0/8 or 2001:db8::/32"))
            }
            networks.append(network)
        }
        return .success(networks)
    }
}

extension ActionSettings: SettingsSection {
    static let name = "actions"
    static var settings: [Setting<Self>] {
        [
            // A clean message has nothing to strip or quarantine; refusing it would lose mail.
            Setting("clean", \.clean, Self.action(allowing: [.accept, .tag], else: "clean mail can only be accept or tag"), "clean mail"),
            Setting("infected", \.infected, .choice, "a virus was found"),
            Setting("banned", \.banned, .choice, "a type rule banned a part"),
            Setting("unscannable", \.unscannable, .choice, "scanner failure, timeout, disk full: never a silent accept"),
            // Only the first max_message_size bytes are kept: a stripped or quarantined copy would lose the rest.
            Setting("oversize", \.oversize, Self.action(
                allowing: MessageAction.allCases.filter { $0 != .strip && $0 != .quarantine },
                else: "an oversize message is only partly buffered, so it cannot be stripped or quarantined; use tag, accept, reject, tempfail, discard or hold"),
                "larger than max_message_size: \"Unscanned (size)\""),
            Setting("stale", \.stale, Self.action(allowing: [.accept, .tag, .tempfail], else: "stale can be accept, tag or tempfail"),
                "signatures older than max_signature_age: accept, tag or tempfail"),
            // A message past a fixed limit was not completely seen: it is never delivered as clean.
            Setting("limit_exceeded", \.limitExceeded, Self.action(
                allowing: MessageAction.allCases.filter { $0 != .accept && $0 != .strip },
                else: "a message past a scanning limit was not completely seen, so it cannot be accepted or stripped; use reject, tempfail, tag, discard, quarantine or hold"),
                "past a fixed limit a retry cannot change (nesting, parts, header size, archive depth)"),
        ]
    }

    private static func action(allowing allowed: [MessageAction], else message: String) -> SettingType<MessageAction> {
        SettingType<MessageAction>.choice.checked { allowed.contains($0) ? nil : message }
    }
}

extension ReplySettings: SettingsSection {
    static let name = "reply"
    static var settings: [Setting<Self>] {
        [
            Setting("infected", \.infected, .reply(codes: 400...599), "the reply to infected mail (reject, tempfail)"),
            Setting("banned", \.banned, .reply(codes: 400...599), "the reply to banned attachments"),
            Setting("unscannable", \.unscannable, .reply(codes: 400...599), "the reply when scanning failed"),
            Setting("oversize", \.oversize, .reply(codes: 400...599), "the reply to messages past max_message_size"),
            Setting("stale", \.stale, .reply(codes: 400...499), "the reply while signatures are stale (a 4xx: the sender retries)"),
            Setting("limit_exceeded", \.limitExceeded, .reply(codes: 400...599), "the reply to a message past a fixed limit; %r names the limit"),
        ]
    }
}

extension HeaderSettings: SettingsSection {
    static let name = "headers"
    static var settings: [Setting<Self>] {
        [
            Setting("scanned", \.scannedName, .string.checked(Self.headerNameProblem), "names the scanner and its signature version"),
            Setting("status", \.statusName, .string.checked(Self.headerNameProblem), "Clean, Infected (name), Banned (rule), Unscanned (reason)"),
            Setting("add_scanned", \.addScanned, .bool, "add the scanned header"),
            Setting("add_status", \.addStatus, .bool, "add the status header"),
            Setting("hostname", \.hostname, .string, "named in X-Virus-Scanned (empty: this host's name)"),
        ]
    }

    /// RFC 5322 section 2.2: printable ASCII except colon.
    private static func headerNameProblem(_ name: String) -> String? {
        if !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) { return nil }
        return "'\(name)' is not a header name (printable ASCII, no spaces or colons)"
    }
}

extension QuarantineSettings: SettingsSection {
    static let name = "quarantine"
    static var settings: [Setting<Self>] {
        [
            Setting("dir", \.dir, .string, "message files and the SQLite index"),
            Setting("store", \.store, .string.checked { uri in
                let lowered = uri.lowercased()
                return uri.isEmpty || lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
                    ? nil : "expected empty (the store in dir) or a postgresql:// URI, got '\(uri.prefix(40))'"
            }, "empty: the store in dir; postgresql://USER@HOST:PORT/DB?sslmode=...: the shared store"),
            Setting("password_file", \.passwordFile, .string, "the shared store's password, first line (empty: PGPASSWORD, PGPASSFILE, ~/.pgpass)"),
            Setting("store_timeout", \.storeTimeout, .seconds, "longest a shared-store connection or statement may take, below milter_content_timeout"),
            Setting("host_name", \.hostName, .string, "recorded with each quarantined entry (empty: this host's name)"),
            Setting("release_relay", \.releaseRelay, .string, "an smtpd without milters that released mail goes to"),
            Setting("max_age", \.maxAge, .seconds, "the daemon purges older entries (0: keep forever)"),
            Setting("max_bytes", \.maxBytes, .byteSize, "purge oldest first above this size, e.g. \"10GB\" (0: no limit)"),
        ]
    }
}

extension LogSettings: SettingsSection {
    static let name = "log"
    static var settings: [Setting<Self>] {
        [
            Setting("level", \.level, .choice, "trace, debug, info, notice, warning, error, critical"),
            Setting("target", \.target, .string, "stderr, stdout, syslog (/dev/log), syslog:SOCKET or a file path"),
            Setting("format", \.format, .string.checked { ["text", "json"].contains($0) ? nil : "expected text or json, got '\($0)'" }, "text or json"),
            Setting("facility", \.facility, .string.checked { name in
                LogSettings.syslogFacilities[name] == nil
                    ? "expected one of \(LogSettings.syslogFacilities.keys.sorted().joined(separator: ", ")), got '\(name)'" : nil
            }, "syslog facility for target syslog: mail (beside Postfix), daemon, user, local0 ... local7"),
        ]
    }
}

extension UpdateSettings: SettingsSection {
    static let name = "update"
    static var settings: [Setting<Self>] {
        [
            Setting("databases", \.databases, .strings, "official databases kept current"),
            Setting("private_mirror", \.privateMirror, .strings, "URLs tried instead of the official mirror"),
            Setting("custom_urls", \.customURLs, .strings, "extra signature files (.ndb, .hdb, .ldb, ...)"),
            Setting("interval", \.interval, .seconds, "seconds between scheduled updates, or \"4h\" (0: no schedule)"),
            Setting("proxy", \.proxy, .string, "http://HOST:PORT"),
            Setting("user_agent", \.userAgent, .string, "empty: libfreshclam's"),
            Setting("canary_dir", \.canaryDir, .string, "known-clean messages a new database must pass"),
        ]
    }
}

extension MetricsSettings: SettingsSection {
    static let name = "metrics"
    static var settings: [Setting<Self>] {
        [
            Setting("listen", \.listen, .string, "Prometheus endpoint HOST:PORT, e.g. \"127.0.0.1:9465\" (empty: off)"),
        ]
    }
}

extension NotifySettings: SettingsSection {
    static let name = "notify"
    static var settings: [Setting<Self>] {
        [
            Setting("admins", \.admins, SettingType.strings.checked(ScanmilterConfig.addressProblem), "told about each message with one of verdicts (empty: nobody)"),
            Setting("verdicts", \.verdicts, SettingType.strings.converted(Self.verdictList), "infected, banned, unscanned"),
            Setting("recipients", \.recipients, .bool, "also tell each recipient whose copy was quarantined or held"),
            Setting("sender", \.sender, .bool, "also tell the sender (backscatter; never a null or forged-looking sender)"),
            Setting("relay", \.relay, .string.checked(Self.relayProblem), "HOST:PORT notifications go through (empty: [quarantine] release_relay)"),
            Setting("from", \.from, .string.checked(Self.fromProblem), "envelope sender of notifications (empty: <>, so they never bounce)"),
            Setting("max_per_minute", \.maxPerMinute, .integer(1...100_000), "past this, one summary per minute instead"),
            Setting("queue_size", \.queueSize, .integer(1...1_000_000), "notifications waiting to be sent; past it new ones are dropped and counted"),
            Setting("timeout", \.timeout, .seconds, "one SMTP conversation with the relay"),
            Setting("subject", \.subject, .string, "the administrators' subject; %v viruses, %r rules, %i queue id, %q quarantine id"),
            Setting("recipient_text", \.recipientText, .string, "what a recipient is told (same placeholders)"),
            Setting("sender_text", \.senderText, .string, "what the sender is told (same placeholders)"),
            Setting("command", \.command, SettingType.strings.checked(Self.commandProblem), "[\"/path/program\", \"arg\"]: run per notified message, verdict as JSON on stdin (no shell)"),
            Setting("command_timeout", \.commandTimeout, .seconds, "the command is killed after this"),
        ]
    }

    private static func verdictList(_ names: [String]) -> Result<[NotifyVerdict], ConfigurationMessage> {
        var verdicts: [NotifyVerdict] = []
        for name in names {
            guard let verdict = NotifyVerdict(rawValue: name.lowercased()) else {
                return .failure(ConfigurationMessage("'\(name)' is not a verdict; use infected, banned or unscanned"))
            }
            verdicts.append(verdict)
        }
        return .success(verdicts)
    }

    private static func relayProblem(_ relay: String) -> String? {
        if relay.isEmpty { return nil }
        let parts = relay.split(separator: ":")
        guard parts.count >= 2, let port = parts.last.flatMap({ Int($0) }), (1...65535).contains(port) else {
            return "'\(relay)' is not HOST:PORT"
        }
        return nil
    }

    private static func fromProblem(_ from: String) -> String? {
        if from.isEmpty { return nil }
        return ScanmilterConfig.addressProblem([from])
    }

    /// The program must be named by an absolute path: there is no shell and no PATH search, so
    /// what runs is exactly what the file says.
    private static func commandProblem(_ argv: [String]) -> String? {
        guard let program = argv.first else { return nil }
        if !program.hasPrefix("/") { return "the program must be an absolute path (no shell, no PATH search), got '\(program)'" }
        if argv.contains(where: { $0.contains("\0") }) { return "arguments cannot contain NUL" }
        return nil
    }
}

extension WebSettings: SettingsSection {
    static let name = "web"
    static var settings: [Setting<Self>] {
        [
            Setting("listen", \.listen, .string, "console and API HOST:PORT for scanmilterctl web, e.g. \"127.0.0.1:8025\" (empty: off)"),
            Setting("public_url", \.publicURL, .string, "the console as users reach it; digest links start with it (empty: http://LISTEN)"),
            Setting("users_file", \.usersFile, .string, "administrators: htpasswd file with bcrypt hashes (htpasswd -B)"),
            Setting("api_tokens_file", \.apiTokensFile, .string, "API bearer tokens, NAME:TOKEN per line (empty: Basic auth only)"),
            Setting("secret_file", \.secretFile, .string, "key (32+ bytes) signing sessions, CSRF tokens and digest links"),
            Setting("session_lifetime", \.sessionLifetime, .seconds, "how long a sign-in lasts"),
            Setting("link_lifetime", \.linkLifetime, .seconds, "how long a digest link works"),
            Setting("digest_interval", \.digestInterval, .seconds, "send each recipient with held mail a digest this often, e.g. \"24h\" (0: never)"),
            Setting("digest_sender", \.digestSender, .string, "envelope and From address of digests"),
            Setting("recipient_release_verdicts", \.recipientReleaseVerdicts, .strings, "verdicts a recipient may release from a digest link"),
            Setting("trusted_proxies", \.trustedProxies, .strings, "reverse proxies (IP addresses) whose X-Forwarded-For/-Proto are believed"),
        ]
    }
}
