#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MilterProtocol

extension ScanmilterConfig {
    /// The sections a file may have; anything else is an error.
    static let sections = ["milter", "scan", "policy", "actions", "reply", "headers", "quarantine", "log", "update", "metrics"]

    /// Loads `path`, applies `SCANMILTER_<SECTION>_<KEY>` overrides from `environment`, and
    /// validates everything; the error names the file, line and key of the first problem.
    public static func load(path: String, environment: [String: String]) throws(ConfigurationError) -> ScanmilterConfig {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigurationError(file: path, line: nil, key: nil, message: error.message)
        }
        return try parse(text, file: path, environment: environment)
    }

    /// Parses configuration text (the file's contents); `file` names it in errors.
    public static func parse(_ text: String, file: String = "<string>", environment: [String: String] = [:]) throws(ConfigurationError) -> ScanmilterConfig {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(text)
        } catch {
            throw ConfigurationError(file: file, line: error.line, key: nil, message: error.message)
        }
        for key in root.keys {
            guard sections.contains(key), case .table = root[key]?.kind else {
                var message = "'\(key)' is not a section; sections are " + sections.map { "[\($0)]" }.joined(separator: ", ")
                if let near = SectionReader.nearest(key, in: sections) { message += "; did you mean [\(near)]?" }
                throw ConfigurationError(file: file, line: root[key]?.line, key: nil, message: message)
            }
        }
        let overrides = try environmentOverrides(environment)
        func reader(_ section: String) -> SectionReader {
            var table = TOMLTable()
            if case .table(let found)? = root[section]?.kind { table = found }
            return SectionReader(section: section, table: table, file: file, environment: overrides[section] ?? [:])
        }
        let (config, readers) = try readSections(reader)
        for section in readers {
            try section.rejectUnknownKeys()
        }
        return config
    }

    /// Every key each section reads, for documentation checks.
    static func knownKeys() -> [String: [String]] {
        let readers = (try? readSections { SectionReader(section: $0, table: TOMLTable(), file: "", environment: [:]) })?.1 ?? []
        return Dictionary(uniqueKeysWithValues: readers.map { ($0.section, $0.known) })
    }

    private static func readSections(
        _ reader: (String) -> SectionReader
    ) throws(ConfigurationError) -> (ScanmilterConfig, [SectionReader]) {
        var config = ScanmilterConfig()
        var milter = reader("milter")
        try config.milter.read(&milter)
        var scan = reader("scan")
        try config.scan.read(&scan)
        var policy = reader("policy")
        try config.policy.read(&policy)
        var actions = reader("actions")
        try config.actions.read(&actions)
        var reply = reader("reply")
        try config.reply.read(&reply)
        var headers = reader("headers")
        try config.headers.read(&headers)
        var quarantine = reader("quarantine")
        try config.quarantine.read(&quarantine)
        var log = reader("log")
        try config.log.read(&log)
        var update = reader("update")
        try config.update.read(&update)
        var metrics = reader("metrics")
        try config.metrics.read(&metrics)
        return (config, [milter, scan, policy, actions, reply, headers, quarantine, log, update, metrics])
    }

    /// `SCANMILTER_SCAN_MAX_MESSAGE_SIZE=50MB` → `["scan": ["max_message_size": "50MB"]]`.
    static func environmentOverrides(_ environment: [String: String]) throws(ConfigurationError) -> [String: [String: String]] {
        var overrides: [String: [String: String]] = [:]
        for (name, value) in environment where name.hasPrefix("SCANMILTER_") {
            let rest = name.dropFirst("SCANMILTER_".count).lowercased()
            guard let section = sections.first(where: { rest.hasPrefix($0 + "_") }) else {
                // Other SCANMILTER_ variables (e.g. SCANMILTER_CONFIG) are not key overrides.
                continue
            }
            overrides[section, default: [:]][String(rest.dropFirst(section.count + 1))] = value
        }
        return overrides
    }

    private struct ReadError: Error {
        var message: String
    }

    private static func readFile(_ path: String) throws(ReadError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ReadError(message: "is a directory, not a configuration file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > 4 << 20 { throw ReadError(message: "is larger than 4 MiB; is it really a configuration file?") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ReadError(message: "is not valid UTF-8 text")
        }
        return text
    }
}

extension MilterSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        socket = try r.string("socket", socket)
        let prefixes = ["unix:", "local:", "inet:", "inet6:"]
        guard prefixes.contains(where: { socket.hasPrefix($0) }) && socket.count > 5 else {
            throw r.invalid("socket", "'\(socket)' is not a socket spec; use unix:/path, inet:PORT@HOST or inet6:PORT@HOST")
        }
        timeout = try r.seconds("timeout", timeout)
        socketOwner = try r.string("socket_owner", socketOwner)
        socketGroup = try r.string("socket_group", socketGroup)
        let mode = try r.string("socket_mode", String(socketMode, radix: 8))
        guard let parsed = UInt32(mode, radix: 8), parsed <= 0o777 else {
            throw r.invalid("socket_mode", "'\(mode)' is not an octal mode such as \"0660\"")
        }
        socketMode = parsed
        backlog = try r.integer("backlog", backlog, range: 1...65535)
        user = try r.string("user", user)
        group = try r.string("group", group)
        pidfile = try r.string("pidfile", pidfile)
        shutdownTimeout = try r.seconds("shutdown_timeout", shutdownTimeout)
        controlSocket = try r.string("control_socket", controlSocket)
    }
}

extension ScanSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        backend = try r.choice("backend", backend)
        databaseDir = try r.string("database_dir", databaseDir)
        clamdServers = try r.strings("clamd_servers", clamdServers)
        if backend == .clamd && clamdServers.isEmpty {
            throw r.invalid("clamd_servers", "backend = \"clamd\" needs at least one server, e.g. [\"unix:/run/clamav/clamd.ctl\"]")
        }
        clamdTimeout = try r.seconds("clamd_timeout", clamdTimeout)
        maxMessageSize = try r.byteSize("max_message_size", maxMessageSize)
        memoryThreshold = try r.byteSize("memory_threshold", memoryThreshold)
        tempDir = try r.string("temp_dir", tempDir)
        maxConcurrentScans = try r.integer("max_concurrent_scans", maxConcurrentScans, range: 0...4096)
        mailDecodingBudget = try r.byteSize("mail_decoding_budget", mailDecodingBudget)
        maxScanSize = try r.optionalByteSize("max_scan_size")
        maxFileSize = try r.optionalByteSize("max_file_size")
        maxRecursion = try r.optionalInteger("max_recursion", range: 1...255)
        maxFiles = try r.optionalInteger("max_files", range: 1...Int(Int32.max))
        maxScanTime = try r.optionalSeconds("max_scan_time")
        detectPUA = try r.bool("detect_pua", detectPUA)
        disableCache = try r.bool("disable_cache", disableCache)
        strategy = try r.choice("strategy", strategy)
        alertEncryptedArchive = try r.optionalBool("alert_encrypted_archive")
        alertEncryptedDoc = try r.optionalBool("alert_encrypted_doc")
        alertBrokenExecutables = try r.optionalBool("alert_broken_executables")
        alertOLE2Macros = try r.optionalBool("alert_ole2_macros")
        alertPhishingSSLMismatch = try r.optionalBool("alert_phishing_ssl_mismatch")
        alertPhishingCloak = try r.optionalBool("alert_phishing_cloak")
        alertPartitionIntersection = try r.optionalBool("alert_partition_intersection")
        alertExceedsMax = try r.bool("alert_exceeds_max", alertExceedsMax)
        reloadMode = try r.choice("reload_mode", reloadMode)
        reloadCheckInterval = try r.seconds("reload_check_interval", reloadCheckInterval)
    }
}

extension PolicySettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        bannedTypes = try r.strings("banned_types", bannedTypes)
        bannedExtensions = try r.strings("banned_extensions", bannedExtensions)
        typeMismatch = try r.bool("type_mismatch", typeMismatch)
        checkArchives = try r.bool("check_archives", checkArchives)
        banEncryptedArchives = try r.bool("ban_encrypted_archives", banEncryptedArchives)
        banArchiveLimits = try r.bool("ban_archive_limits", banArchiveLimits)
        let networks = try r.strings("trusted_networks", trustedNetworks.map(\.description))
        trustedNetworks = []
        for text in networks {
            guard let network = IPNetwork(text) else {
                throw r.invalid("trusted_networks", "'\(text)' is not a network such as 10.0.0.0/8 or 2001:db8::/32")
            }
            trustedNetworks.append(network)
        }
        skipAuthenticated = try r.bool("skip_authenticated", skipAuthenticated)
        senderAllowlist = try r.strings("sender_allowlist", senderAllowlist)
        recipientAllowlist = try r.strings("recipient_allowlist", recipientAllowlist)
        maxSignatureAge = try r.seconds("max_signature_age", maxSignatureAge)
    }
}

extension ActionSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        clean = try r.choice("clean", clean)
        infected = try r.choice("infected", infected)
        banned = try r.choice("banned", banned)
        unscannable = try r.choice("unscannable", unscannable)
        oversize = try r.choice("oversize", oversize)
        stale = try r.choice("stale", stale)
        // A clean message has nothing to strip or quarantine; refusing it would lose mail.
        if ![.accept, .tag].contains(clean) {
            throw r.invalid("clean", "clean mail can only be accept or tag")
        }
        if ![.accept, .tag, .tempfail].contains(stale) {
            throw r.invalid("stale", "stale can be accept, tag or tempfail")
        }
        if oversize == .strip || oversize == .quarantine {
            // Only the first max_message_size bytes are kept: a stripped or quarantined copy would lose the rest.
            throw r.invalid("oversize", "an oversize message is only partly buffered, so it cannot be stripped or quarantined; use tag, accept, reject, tempfail, discard or hold")
        }
    }
}

extension ReplySettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        infected = try r.reply("infected", infected, codeClass: 400...599)
        banned = try r.reply("banned", banned, codeClass: 400...599)
        unscannable = try r.reply("unscannable", unscannable, codeClass: 400...599)
        oversize = try r.reply("oversize", oversize, codeClass: 400...599)
        stale = try r.reply("stale", stale, codeClass: 400...499)
    }
}

extension HeaderSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        scannedName = try r.string("scanned", scannedName)
        statusName = try r.string("status", statusName)
        for (key, name) in [("scanned", scannedName), ("status", statusName)] {
            // RFC 5322 section 2.2: printable ASCII except colon.
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) else {
                throw r.invalid(key, "'\(name)' is not a header name (printable ASCII, no spaces or colons)")
            }
        }
        addScanned = try r.bool("add_scanned", addScanned)
        addStatus = try r.bool("add_status", addStatus)
        hostname = try r.string("hostname", hostname)
    }
}

extension QuarantineSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        dir = try r.string("dir", dir)
        releaseRelay = try r.string("release_relay", releaseRelay)
        maxAge = try r.seconds("max_age", maxAge)
        maxBytes = try r.byteSize("max_bytes", maxBytes)
    }
}

extension LogSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        level = try r.choice("level", level)
        target = try r.string("target", target)
        format = try r.string("format", format)
        guard ["text", "json"].contains(format) else { throw r.invalid("format", "expected text or json, got '\(format)'") }
    }
}

extension UpdateSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        databases = try r.strings("databases", databases)
        privateMirror = try r.strings("private_mirror", privateMirror)
        customURLs = try r.strings("custom_urls", customURLs)
        interval = try r.seconds("interval", interval)
        proxy = try r.string("proxy", proxy)
        userAgent = try r.string("user_agent", userAgent)
        canaryDir = try r.string("canary_dir", canaryDir)
    }
}

extension MetricsSettings {
    mutating func read(_ r: inout SectionReader) throws(ConfigurationError) {
        listen = try r.string("listen", listen)
    }
}
