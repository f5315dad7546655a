public import MilterProtocol

/// scanmilter's whole configuration: one struct per `[section]` of the TOML file, every key with
/// its default. conf/scanmilter.toml is the commented reference; a test keeps the two in step.
public struct ScanmilterConfig: Sendable, Equatable {
    public var milter = MilterSettings()
    public var scan = ScanSettings()
    public var policy = PolicySettings()
    public var actions = ActionSettings()
    public var reply = ReplySettings()
    public var headers = HeaderSettings()
    public var quarantine = QuarantineSettings()
    public var log = LogSettings()
    public var update = UpdateSettings()
    public var metrics = MetricsSettings()
    public var notify = NotifySettings()
    /// `[[override]]`: policies for some recipients, in the file's order; the first that
    /// matches a recipient applies to it (``RecipientOverride``).
    public var overrides: [RecipientOverride] = []
    public var web = WebSettings()

    /// The defaults, as if the file were empty.
    public init() {}
}

/// `[milter]`: how Postfix reaches scanmilter, and the process around it.
public struct MilterSettings: Sendable, Equatable {
    /// `socket`: libmilter socket spec, `unix:PATH`, `local:PATH`, `inet:PORT@HOST` or `inet6:PORT@HOST`.
    public var socket = "inet:8890@127.0.0.1"
    /// `timeout`: seconds libmilter waits for Postfix on a connection before giving up on it.
    public var timeout: Double = 300
    /// `socket_owner`, `socket_group`: owner of a unix socket (empty: the process's user).
    public var socketOwner = ""
    public var socketGroup = ""
    /// `socket_mode`: permissions of a unix socket, octal text such as "0660".
    public var socketMode: UInt32 = 0o660
    /// `backlog`: the listen queue length.
    public var backlog = 128
    /// `user`, `group`: drop to these after opening the socket (empty: stay as started).
    public var user = ""
    public var group = ""
    /// `pidfile`: written at start, removed at exit (empty: none).
    public var pidfile = ""
    /// `shutdown_timeout`: on SIGTERM, how long messages in flight may take to finish.
    public var shutdownTimeout: Double = 30
    /// `control_socket`: the unix socket `scanmilterctl reload` and `status` talk to (empty: none).
    public var controlSocket = "/run/scanmilter/control.sock"
    public init() {}
}

/// The scanner backend.
public enum ScanBackendKind: String, Sendable, Equatable, CaseIterable {
    /// libclamav inside the scanmilter process.
    case clamav
    /// One or more clamd servers over INSTREAM.
    case clamd
}

/// What goes through the scanner besides each decoded part: the `[scan] strategy` setting. Its
/// cases have the names of the `MessageScanner.Strategy` each selects (Configuration imports no
/// scanner module, so the daemon maps one to the other by name); the raw values are the file's.
public enum ScanStrategy: String, Sendable, Equatable, CaseIterable {
    /// The message minus the base64 attachment bodies decoded and scanned as parts.
    case everyPartSkeleton = "skeleton"
    /// The whole message as well: libclamav decodes every attachment again.
    case everyPart = "full"
    /// The whole message without libclamav's mail decoding.
    case everyPartRaw = "raw"
    /// The whole message only; parts are scanned when something was found, to name them.
    case attributeOnFinding = "on_finding"
}

/// `[scan]`: the scanner, its database and its limits. Unset engine limits keep ClamAV's defaults.
public struct ScanSettings: Sendable, Equatable {
    /// `backend`: `clamav` (embedded engine) or `clamd`.
    public var backend: ScanBackendKind = .clamav
    /// `database_dir`: the signature directory the embedded engine loads.
    public var databaseDir = "/var/lib/clamav"
    /// `clamd_servers`: `unix:/path` or `HOST:PORT` for each clamd server.
    public var clamdServers: [String] = []
    /// `clamd_max_threads`: the scans each clamd server runs at once (clamd's `MaxThreads`, 10 by
    /// default); a server entry `"HOST:PORT max_threads=N"` gives that server its own.
    public var clamdMaxThreads = 10
    /// `clamd_timeout`: seconds for one clamd request.
    public var clamdTimeout: Double = 60
    /// `max_message_size`: bytes of a message that are scanned; past it the oversize action applies.
    public var maxMessageSize = 25 << 20
    /// `memory_threshold`: a message body larger than this is buffered in an unlinked temp file.
    public var memoryThreshold = 256 << 10
    /// `temp_dir`: where spilled message bodies and libclamav's extracted files go.
    public var tempDir = "/tmp"
    /// `max_concurrent_scans`: messages scanned at once. 0: with the embedded engine one per CPU
    /// core (scanning is CPU-bound, so more in flight only adds memory); with clamd the sum of
    /// the `max_threads` of the servers in rotation (parsing and type detection still take one
    /// slot per core). The others wait their turn.
    public var maxConcurrentScans = 0
    /// `mail_decoding_budget`: bytes of whole messages under the embedded engine's mail parser at
    /// once (one message always may go). That parser holds about 1.5 times a message in memory,
    /// so large messages take turns here rather than run side by side.
    public var mailDecodingBudget = 32 << 20
    /// `max_scan_size`, `max_file_size`, `max_recursion`, `max_files`, `max_scan_time` (nil: ClamAV's default).
    public var maxScanSize: Int?
    public var maxFileSize: Int?
    public var maxRecursion: Int?
    public var maxFiles: Int?
    public var maxScanTime: Double?
    /// `detect_pua`: report potentially unwanted applications.
    public var detectPUA = false
    /// `disable_cache`: turn off libclamav's cache of clean content (clamd's `DisableCache`).
    public var disableCache = false
    /// `alert_*`: ClamAV's heuristic alerts (nil: ClamAV's default).
    public var alertEncryptedArchive: Bool?
    public var alertEncryptedDoc: Bool?
    public var alertBrokenExecutables: Bool?
    public var alertOLE2Macros: Bool?
    public var alertPhishingSSLMismatch: Bool?
    public var alertPhishingCloak: Bool?
    public var alertPartitionIntersection: Bool?
    /// `alert_exceeds_max`: a scan that hits a limit is reported (as unscannable), not passed silently.
    public var alertExceedsMax = true
    /// `strategy`: what is scanned besides the decoded parts.
    public var strategy: ScanStrategy = .everyPartSkeleton
    /// `reload_mode`: `concurrent` or `in_place`.
    public var reloadMode: ReloadMode = .concurrent
    /// `reload_check_interval`: seconds between checks of database_dir for new signatures (0: never).
    public var reloadCheckInterval: Double = 60
    /// `isolation`: `workers` (the embedded engine scans in confined worker processes) or `none`
    /// (in the milter's own threads).
    public var isolation: Isolation = .workers
    /// `worker_timeout`: seconds one scan may take in a worker before the worker is killed.
    public var workerTimeout: Double = 150
    /// `worker_memory`: address space a worker may map beyond the engine it inherits.
    public var workerMemory = 4 << 30
    public init() {}
}

extension ScanSettings {
    /// How signatures are reloaded: the `[scan] reload_mode` setting, which the daemon turns into
    /// the embedded engine's own `ClamAVBackendSettings.ReloadMode` (with its wait limit).
    public enum ReloadMode: String, Sendable, Equatable, CaseIterable {
        /// Build the new engine beside the running one (twice the memory for a while; no waiting).
        case concurrent
        /// Free the running engine first (small machines; scans wait during the reload).
        case inPlace = "in_place"
    }

    /// Where the embedded engine scans: the `[scan] isolation` setting.
    public enum Isolation: String, Sendable, Equatable, CaseIterable {
        /// In worker processes forked from a zygote that holds the engine, each confined.
        case workers
        /// In the milter's own threads (a parser crash takes the milter down).
        case none
    }
}

/// `[policy]`: what is allowed through and who is trusted.
public struct PolicySettings: Sendable, Equatable {
    /// `banned_types`: type-rule names or MIME types banned by detected content ("default": the built-in list).
    public var bannedTypes = ["default"]
    /// `banned_extensions`: file-name extensions banned ("default": what mail clients block).
    public var bannedExtensions = ["default"]
    /// `type_mismatch`: ban an attachment whose name or declared type disguises content that can do
    /// harm; record (never ban) one harmless format labelled as another.
    public var typeMismatch = true
    /// `check_archives`: look at file names and types inside archives too.
    public var checkArchives = true
    /// `ban_encrypted_archives`: an archive that cannot be opened (password) is banned, rule `archive-encrypted`.
    public var banEncryptedArchives = true
    /// `ban_archive_limits`: an archive nested deeper or with more entries than can be checked is
    /// banned, rule `archive-limits` (off: it is only scanned).
    public var banArchiveLimits = true
    /// `archive_password_candidates`: passwords taken from the message (subject, text parts) and
    /// tried on an encrypted archive, at most; 0 tries none.
    public var archivePasswordCandidates = 20
    /// `trusted_networks`: clients in these CIDR ranges are not scanned.
    public var trustedNetworks: [IPNetwork] = []
    /// `skip_authenticated`: mail from SMTP-authenticated senders is not scanned.
    public var skipAuthenticated = false
    /// `sender_allowlist`, `recipient_allowlist`: addresses or `@domain`s never scanned.
    public var senderAllowlist: [String] = []
    public var recipientAllowlist: [String] = []
    /// `max_signature_age`: older signatures make the `stale` action apply (0: never).
    public var maxSignatureAge: Double = 7 * 86400
    public init() {}
}

/// What happens to a message.
public enum MessageAction: String, Sendable, Equatable, CaseIterable {
    /// Deliver as is (still with the configured headers).
    case accept
    /// Deliver with the status headers.
    case tag
    /// Refuse with a 5xx reply.
    case reject
    /// Refuse with a 4xx reply: the sender retries.
    case tempfail
    /// Accept and drop silently.
    case discard
    /// Keep a copy in the quarantine store, then do not deliver.
    case quarantine
    /// Put the message in Postfix's hold queue (smfi_quarantine).
    case hold
    /// Deliver with the offending parts replaced by a text notice.
    case strip
}

/// `[actions]`: the action for each verdict.
public struct ActionSettings: Sendable, Equatable {
    public var clean: MessageAction = .tag
    public var infected: MessageAction = .reject
    public var banned: MessageAction = .reject
    public var unscannable: MessageAction = .tempfail
    public var oversize: MessageAction = .tag
    /// `stale`: signatures older than `[policy] max_signature_age` (accept, tag or tempfail).
    public var stale: MessageAction = .tag
    /// `limit_exceeded`: a fixed limit a retry cannot change (nesting, part count, header size,
    /// archive depth or size): refused for good rather than retried for days.
    public var limitExceeded: MessageAction = .reject
    public init() {}
}

/// `[reply]`: the SMTP replies for refused messages.
public struct ReplySettings: Sendable, Equatable {
    public var infected = ReplyTemplate(code: 550, enhancedCode: "5.7.1", text: "Message rejected: virus found: %v")
    public var banned = ReplyTemplate(code: 550, enhancedCode: "5.7.1", text: "Message rejected: attachment not allowed: %r")
    public var unscannable = ReplyTemplate(code: 451, enhancedCode: "4.7.1", text: "Message could not be scanned, please try again later")
    public var oversize = ReplyTemplate(code: 552, enhancedCode: "5.3.4", text: "Message too large to be scanned")
    public var stale = ReplyTemplate(code: 451, enhancedCode: "4.7.1", text: "Virus signatures are out of date, please try again later")
    public var limitExceeded = ReplyTemplate(code: 554, enhancedCode: "5.6.0", text: "Message exceeds a scanning limit: %r")
    public init() {}
}

/// `[headers]`: the headers added to scanned mail (incoming copies are always removed).
public struct HeaderSettings: Sendable, Equatable {
    /// `scanned`, `status`: header names.
    public var scannedName = "X-Virus-Scanned"
    public var statusName = "X-Virus-Status"
    /// `add_scanned`, `add_status`: whether to add each.
    public var addScanned = true
    public var addStatus = true
    /// `hostname`: named in X-Virus-Scanned (empty: this host's name).
    public var hostname = ""
    public init() {}
}

/// `[quarantine]`: where quarantined mail is kept and how it is released.
public struct QuarantineSettings: Sendable, Equatable {
    /// `dir`: message files and the SQLite index.
    public var dir = "/var/lib/scanmilter/quarantine"
    /// `store`: empty for the local store in `dir`, or a libpq URI of the shared PostgreSQL store.
    public var store = ""
    /// `password_file`: the shared store's password (its first line); empty leaves it to libpq.
    public var passwordFile = ""
    /// `store_timeout`: seconds a shared-store connection or statement may take.
    public var storeTimeout: Double = 10
    /// `host_name`: the host name recorded with each entry (empty: `gethostname`).
    public var hostName = ""
    /// `release_relay`: `HOST:PORT` of an SMTP server without milters that released mail goes to.
    public var releaseRelay = "127.0.0.1:10026"
    /// `max_age`: entries older than this are purged by the daemon (0: kept forever).
    public var maxAge: Double = 30 * 86400
    /// `max_bytes`: when the store is larger, the oldest entries are purged first (0: no limit).
    public var maxBytes = 0
    public init() {}
}

/// Log verbosity, as swift-log names it.
public enum LogLevel: String, Sendable, Equatable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// `[log]`: verbosity and destination.
public struct LogSettings: Sendable, Equatable {
    /// `level`.
    public var level: LogLevel = .info
    /// `target`: `stderr`, `stdout` or a file path.
    public var target = "stderr"
    /// `format`: `text` (one readable line) or `json` (one object per line).
    public var format = "text"
    /// `facility`: the syslog facility for `target = "syslog"`, by name.
    public var facility = "mail"
    public init() {}

    /// The facilities `facility` may name, with their codes (syslog(3), RFC 3164 section 4.1.1).
    public static let syslogFacilities: [String: Int] = [
        "user": 1, "mail": 2, "daemon": 3,
        "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
    ]
}

/// `[update]`: signature downloads (scanmilterctl update).
public struct UpdateSettings: Sendable, Equatable {
    /// `databases`: the official databases to keep current.
    public var databases = ["main", "daily", "bytecode"]
    /// `private_mirror`: URLs tried instead of the official mirror.
    public var privateMirror: [String] = []
    /// `custom_urls`: extra signature files (.ndb, .hdb, .ldb, ...).
    public var customURLs: [String] = []
    /// `interval`: seconds between scheduled updates (0: no schedule).
    public var interval: Double = 0
    /// `proxy`: `http://HOST:PORT` (empty: none).
    public var proxy = ""
    /// `user_agent`: sent with downloads (empty: libfreshclam's).
    public var userAgent = ""
    /// `canary_dir`: known-clean messages a new database must pass before it is installed.
    public var canaryDir = ""
    public init() {}
}

/// `[metrics]`: the Prometheus endpoint.
public struct MetricsSettings: Sendable, Equatable {
    /// `listen`: `HOST:PORT` (empty: off).
    public var listen = ""
    public init() {}
}

/// A verdict that `[notify] verdicts` may name.
public enum NotifyVerdict: String, Sendable, Equatable, CaseIterable {
    case infected, banned, unscanned
}

/// `[notify]`: who hears that a message was stopped, and how.
public struct NotifySettings: Sendable, Equatable {
    /// `admins`: addresses told about every message with one of `verdicts` (empty: nobody).
    public var admins: [String] = []
    /// `verdicts`: which verdicts are notified.
    public var verdicts: [NotifyVerdict] = [.infected, .banned, .unscanned]
    /// `recipients`: also tell each recipient whose copy was quarantined or held.
    public var recipients = false
    /// `sender`: also tell the envelope sender (backscatter: off unless asked; never a null,
    /// local-looking or forged-looking sender).
    public var sender = false
    /// `relay`: `HOST:PORT` notifications are sent through (empty: `[quarantine] release_relay`).
    public var relay = ""
    /// `from`: the envelope sender of notifications (empty: the null sender `<>`, so they never bounce back).
    public var from = ""
    /// `max_per_minute`: notifications sent in one minute; past it, one summary at the minute's end.
    public var maxPerMinute = 30
    /// `queue_size`: notifications waiting to be sent; past it, new ones are dropped and counted.
    public var queueSize = 1000
    /// `timeout`: one SMTP conversation with the relay.
    public var timeout: Double = 30
    /// `subject`: the administrators' subject; `%v` viruses, `%r` rules, `%i` queue id, `%q` quarantine id.
    public var subject = "[scanmilter] message %i stopped: %v%r"
    /// `recipient_text`: what a recipient is told (with the same placeholders).
    public var recipientText = "A message for you was held by the mail filter (%v%r). Quarantine id: %q. Ask your administrator to release it if you expected it."
    /// `sender_text`: what the sender is told, when `sender` is on.
    public var senderText = "Your message (queue id %i) was not delivered: %v%r."
    /// `command`: a program run for each notified message, argv only (no shell), with the
    /// verdict as one JSON object on standard input (empty: none).
    public var command: [String] = []
    /// `command_timeout`: how long the command may run before it is killed.
    public var commandTimeout: Double = 10
    public init() {}
}

/// `[web]`: the quarantine web console, its JSON API and recipient digests (`scanmilterctl web`).
public struct WebSettings: Sendable, Equatable {
    /// `listen`: `HOST:PORT` the console serves on (empty: off).
    public var listen = ""
    /// `public_url`: the console's address as users reach it, e.g. `https://quarantine.example.org`;
    /// digest links start with it (empty: `http://` + `listen`).
    public var publicURL = ""
    /// `users_file`: administrators, an htpasswd file with bcrypt hashes (`htpasswd -B`).
    public var usersFile = "/etc/scanmilter/web-users"
    /// `api_tokens_file`: bearer tokens for the API, one `NAME:TOKEN` a line (empty: Basic only).
    public var apiTokensFile = ""
    /// `secret_file`: the key that signs sessions, CSRF tokens and digest links (at least 32 bytes).
    public var secretFile = "/etc/scanmilter/web-secret"
    /// `session_lifetime`: how long a sign-in lasts.
    public var sessionLifetime: Double = 8 * 3600
    /// `link_lifetime`: how long a digest link works.
    public var linkLifetime: Double = 7 * 86400
    /// `digest_interval`: how often each recipient with held mail gets a digest (0: never).
    public var digestInterval: Double = 0
    /// `digest_sender`: the envelope and From address of digests.
    public var digestSender = "postmaster@localhost"
    /// `recipient_release_verdicts`: verdicts a recipient may release from a digest.
    public var recipientReleaseVerdicts = ["banned"]
    /// `trusted_proxies`: addresses of reverse proxies whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed (TLS ends there).
    public var trustedProxies: [String] = []
    public init() {}
}
