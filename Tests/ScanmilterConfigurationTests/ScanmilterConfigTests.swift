@testable import ScanmilterConfiguration
import Foundation
import MilterProtocol
import Testing

@Suite struct ScanmilterConfigTests {
    static let sample = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conf/scanmilter.toml").path

    @Test func sampleConfigurationParsesToTheDefaults() throws {
        let config = try ScanmilterConfig.load(path: Self.sample, environment: [:])
        #expect(config == ScanmilterConfig())
    }

    /// A key the reference file writes, commented out (`# key = …`) or not: the line without its
    /// comment, and the comment after the value, if any.
    struct ReferenceLine {
        var section: String
        var key: String
        var commented: Bool
        var assignment: String
        var comment: String?
    }

    /// The keys the reference file writes in each section (sections are `[name]` lines).
    static func referenceLines(_ text: String) -> [ReferenceLine] {
        var section = ""
        var found: [ReferenceLine] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            // Section headers, and the commented example's ([[override]], # [override.actions]).
            let header = line.hasPrefix("# [") ? String(line.dropFirst(2)) : line
            if header.hasPrefix("["), let end = header.firstIndex(of: "]") {
                section = String(header[..<end].drop { $0 == "[" })
                continue
            }
            let commented = line.hasPrefix("# ")
            let body = commented ? String(line.dropFirst(2)) : line
            guard let equals = body.range(of: " = ") else { continue }
            let key = String(body[..<equals.lowerBound])
            guard !key.isEmpty, key.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else { continue }
            // The comment starts at the first # outside a string.
            var inString = false
            var split = body.endIndex
            for index in body.indices {
                if body[index] == "\"" { inString.toggle() }
                if body[index] == "#", !inString { split = index; break }
            }
            let comment = split == body.endIndex ? nil : body[body.index(after: split)...].trimmingCharacters(in: .whitespaces)
            found.append(ReferenceLine(
                section: section, key: key, commented: commented,
                assignment: body[..<split].trimmingCharacters(in: .whitespaces), comment: comment))
        }
        return found
    }

    @Test func referenceFileShowsEveryDeclaredKeyWithItsDefaultAndMeaningAndNoOther() throws {
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        let written = Self.referenceLines(text)
        let declarations = ScanmilterConfig.declarations
        for declaration in declarations {
            for key in declaration.keys {
                let name = "[\(declaration.name)] \(key.name)"
                let lines = written.filter { $0.section == declaration.name && $0.key == key.name }
                #expect(lines.count == 1, "\(name) should be written once in conf/scanmilter.toml")
                guard let entry = lines.first else { continue }
                #expect(entry.commented == key.unsetByDefault,
                        "\(name) should be \(key.unsetByDefault ? "commented out (unset by default)" : "set to its default")")
                if let comment = entry.comment {
                    #expect(comment == key.meaning, "\(name): the reference file's comment is not the declared meaning")
                }
                // The line alone loads, and (unless it is an example of an unset key) gives the default.
                let config = try ScanmilterConfig.parse("[\(declaration.name)]\n\(entry.assignment)\n", file: "scanmilter.toml")
                if !key.unsetByDefault {
                    #expect(config == ScanmilterConfig(), "\(name): the reference file's value is not the default")
                }
            }
        }
        for entry in written where !entry.section.hasPrefix(RecipientOverride.tableName) {
            let declared = declarations.first { $0.name == entry.section }?.keys.contains { $0.name == entry.key } == true
            #expect(declared, "conf/scanmilter.toml writes [\(entry.section)] \(entry.key), which is not declared")
        }
    }

    /// The commented [[override]] example, uncommented, is a valid configuration that says what
    /// the comment says.
    @Test func referenceOverrideExampleLoadsAsWritten() throws {
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "# [[override]]") else {
            Issue.record("conf/scanmilter.toml has no commented [[override]] example")
            return
        }
        let example = lines[start...].prefix { $0.hasPrefix("#") }.map { String($0.dropFirst(2)) }.joined(separator: "\n")
        let config = try ScanmilterConfig.parse(example, file: "example")
        #expect(config.overrides.map(\.name) == ["lab", "customer-a", "customer-b"])
        let lab = try #require(config.overrides.first)
        #expect(lab.actions.banned == .tag && lab.policy.bannedExtensions.isEmpty && lab.notifyAdmins == ["lab-admin@customer-a.example"])
        // What an override does not write stays as the file's own sections say.
        #expect(lab.actions.infected == ActionSettings().infected && lab.policy.bannedTypes == ["default"])
        #expect(lab.changedKeys == ["actions.banned", "policy.banned_extensions", "notify.admins"])
        // Everything keyed in the commented example is a key an override may take.
        for entry in Self.referenceLines(text) where entry.section.hasPrefix(RecipientOverride.tableName) {
            let allowed: Bool = switch entry.section {
            case "override": ["name", "recipients"].contains(entry.key)
            case "override.actions": ActionSettings.settings.contains { $0.name == entry.key }
            case "override.reply": ReplySettings.settings.contains { $0.name == entry.key }
            case "override.policy": RecipientOverride.policyKeys.contains(entry.key)
            case "override.notify": entry.key == "admins"
            default: false
            }
            #expect(allowed, "[\(entry.section)] \(entry.key) is not an override key")
        }
    }

    @Test func everyDeclaredKeyCanBeSetFromTheEnvironmentUnderItsDerivedName() throws {
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        for line in Self.referenceLines(text) {
            // The reference value as an administrator would export it: strings unquoted, lists comma-separated.
            let value = line.assignment.split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let exported = value.hasPrefix("[")
                ? value.filter { !"[]\"".contains($0) }.replacingOccurrences(of: ", ", with: ",")
                : value.hasPrefix("\"") ? String(value.dropFirst().dropLast()) : value
            let variable = ScanmilterConfig.environmentName(section: line.section, key: line.key)
            let config = try ScanmilterConfig.parse("", environment: [variable: exported])
            if !line.commented {
                #expect(config == ScanmilterConfig(), "\(variable)=\(exported) should give the default")
            }
        }
    }

    @Test func threeIndependentMistakesAreAllReportedWithTheirLines() {
        let text = """
            [milter]
            backlog = 128
            [scan]
            max_message_size = "lots"
            temp_dir = "/tmp"
            [policy]
            skip_authenticatd = true
            [headers]
            add_status = "maybe"
            """
        #expect {
            _ = try ScanmilterConfig.parse(text, file: "scanmilter.toml")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.allProblems.map(\.description) == [
                "scanmilter.toml:4: [scan] max_message_size: expected a size such as 25MB or 1048576, got a string \"lots\"",
                "scanmilter.toml:7: [policy] skip_authenticatd: unknown key 'skip_authenticatd'; did you mean 'skip_authenticated'?",
                "scanmilter.toml:9: [headers] add_status: expected true or false, got a string \"maybe\"",
            ] && error.description == error.allProblems.map(\.description).joined(separator: "\n")
        }
    }

    @Test func problemsInTheFileAndTheEnvironmentAreReportedTogether() {
        #expect {
            _ = try ScanmilterConfig.parse(
                "[scna]\nx = 1\n[actions]\nclean = \"reject\"\n", file: "test.toml",
                environment: ["SCANMILTER_SCAN_MAX_FILES": "many"])
        } throws: { error in
            (error as? ConfigurationError)?.allProblems.map(\.description) == [
                "test.toml:1: 'scna' is not a section; sections are [milter], [scan], [policy], [actions], [reply], [headers], [quarantine], [log], [update], [metrics], [notify], [web] and [[override]]; did you mean [scan]?",
                "test.toml:4: [actions] clean: clean mail can only be accept or tag",
                "environment SCANMILTER_SCAN_MAX_FILES: [scan] max_files: expected a whole number, got 'many'",
            ]
        }
    }

    @Test func valuesAreReadWithTheirUnits() throws {
        let config = try ScanmilterConfig.parse("""
            [milter]
            socket = "unix:/run/scanmilter/scanmilter.sock"
            timeout = "2m"
            socket_mode = "0600"
            [scan]
            backend = "clamd"
            clamd_servers = ["127.0.0.1:3310", "unix:/run/clamav/clamd.ctl"]
            max_message_size = "50MB"
            mail_decoding_budget = "64MB"
            max_recursion = 10
            disable_cache = true
            strategy = "on_finding"
            alert_encrypted_archive = true
            [policy]
            trusted_networks = ["10.0.0.0/8", "2001:db8::/32"]
            [actions]
            infected = "quarantine"
            [reply]
            infected = "554 5.7.0 Virus %v in %i"
            """)
        #expect(config.milter.timeout == 120)
        #expect(config.milter.socketMode == 0o600)
        #expect(config.scan.backend == .clamd)
        #expect(config.scan.maxMessageSize == 50 << 20)
        #expect(config.scan.maxRecursion == 10)
        #expect(config.scan.disableCache)
        #expect(config.scan.strategy == .attributeOnFinding)
        #expect(config.scan.mailDecodingBudget == 64 << 20)
        #expect(config.scan.alertEncryptedArchive == true)
        #expect(config.scan.alertEncryptedDoc == nil)
        #expect(config.policy.trustedNetworks.count == 2)
        #expect(config.actions.infected == .quarantine)
        #expect(config.reply.infected.render(viruses: ["Eicar"], queueID: "4Q1") == "Virus Eicar in 4Q1")
        #expect(config.reply.infected.code == 554)
    }

    @Test func aDoublePercentTemplateLoadsAndRendersOnePercent() throws {
        let config = try ScanmilterConfig.parse("[reply]\ninfected = \"550 5.7.1 100%% sure: %v\"\n", file: "test.toml")
        #expect(config.reply.infected.render(viruses: ["Eicar"]) == "100% sure: Eicar")
    }

    @Test(arguments: [
        ("[scan]\nmax_message_size = \"lots\"\n", 2, "scan.max_message_size", "expected a size"),
        ("[scan]\n\nbackend = \"clamdd\"\n", 3, "scan.backend", "one of clamav, clamd"),
        ("[scan]\nbackend = \"clamd\"\n", 1, "scan.clamd_servers", "needs at least one server"),
        ("[policy]\ntrusted_networks = [\"10.0.0.0/33\"]\n", 2, "policy.trusted_networks", "not a network"),
        ("[actions]\nclean = \"reject\"\n", 2, "actions.clean", "accept or tag"),
        ("[actions]\noversize = \"quarantine\"\n", 2, "actions.oversize", "only partly buffered"),
        ("[actions]\nlimit_exceeded = \"accept\"\n", 2, "actions.limit_exceeded", "cannot be accepted or stripped"),
        ("[reply]\ninfected = \"550 4.7.1 mismatched class\"\n", 2, "reply.infected", "enhanced code \"4.7.1\" is not of the form 5.X.Y"),
        ("[reply]\ninfected = \"550\"\n", 2, "reply.infected", "expected a reply"),
        ("[reply]\nbanned = \"250 2.0.0 fine\"\n", 2, "reply.banned", "not a 4xx or 5xx"),
        ("[reply]\nbanned = \"550 5.7.1 \(String(repeating: "x", count: 980))\"\n", 2, "reply.banned", "libmilter allows 980"),
        ("[reply]\nstale = \"550 5.7.1 permanent\"\n", 2, "reply.stale", "must be in 400-499"),
        ("[milter]\nsocket = \"/tmp/x.sock\"\n", 2, "milter.socket", "not a socket spec"),
        ("[milter]\nsocket_mode = \"999\"\n", 2, "milter.socket_mode", "octal"),
        ("[scan]\nmax_mesage_size = 1\n", 2, "scan.max_mesage_size", "did you mean 'max_message_size'"),
        ("[scna]\nx = 1\n", 1, nil, "did you mean [scan]"),
        ("[headers]\nstatus = \"X Status\"\n", 2, "headers.status", "not a header name"),
        ("[scan]\nmax_recursion = 0\n", 2, "scan.max_recursion", "between 1 and 255"),
    ] as [(String, Int?, String?, String)])
    func errorsNameLineAndKey(text: String, line: Int?, key: String?, fragment: String) {
        #expect {
            _ = try ScanmilterConfig.parse(text, file: "test.toml")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.file == "test.toml" && error.line == line && error.key == key && error.message.contains(fragment)
        }
    }

    @Test func environmentOverridesTheFile() throws {
        let config = try ScanmilterConfig.parse(
            "[scan]\nmax_message_size = \"10MB\"\n",
            environment: [
                "SCANMILTER_SCAN_MAX_MESSAGE_SIZE": "30MB",
                "SCANMILTER_POLICY_TRUSTED_NETWORKS": "127.0.0.0/8, ::1",
                "SCANMILTER_ACTIONS_INFECTED": "discard",
                "SCANMILTER_HEADERS_ADD_STATUS": "no",
                "SCANMILTER_CONFIG": "/etc/scanmilter.toml",  // not a key override
            ])
        #expect(config.scan.maxMessageSize == 30 << 20)
        #expect(config.policy.trustedNetworks.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(config.actions.infected == .discard)
        #expect(config.headers.addStatus == false)
    }

    @Test func badEnvironmentValueNamesTheVariable() {
        #expect {
            _ = try ScanmilterConfig.parse("", environment: ["SCANMILTER_SCAN_MAX_FILES": "many"])
        } throws: { error in
            (error as? ConfigurationError)?.description
                == "environment SCANMILTER_SCAN_MAX_FILES: [scan] max_files: expected a whole number, got 'many'"
        }
        #expect(throws: ConfigurationError.self) {
            _ = try ScanmilterConfig.parse("", environment: ["SCANMILTER_SCAN_NO_SUCH_KEY": "1"])
        }
    }

    @Test func missingOrUnreadableFilesGetClearErrors() throws {
        #expect {
            _ = try ScanmilterConfig.load(path: "/nonexistent/scanmilter.toml", environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description == "/nonexistent/scanmilter.toml: cannot open: No such file or directory"
        }
        #expect {
            _ = try ScanmilterConfig.load(path: "/tmp", environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.message.contains("directory") == true
        }
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.200.3.4", true),
        ("10.0.0.0/8", "11.0.0.1", false),
        ("192.168.1.7", "192.168.1.7", true),
        ("192.168.1.0/25", "192.168.1.200", false),
        ("2001:db8::/32", "2001:db8:1::5", true),
        ("2001:db8::/32", "2001:db9::5", false),
        ("127.0.0.0/8", "::ffff:127.0.0.1", true),
        ("0.0.0.0/0", "8.8.8.8", true),
        ("10.0.0.0/8", "not-an-address", false),
    ])
    func networksContainTheirAddresses(network: String, address: String, expected: Bool) throws {
        let parsed = try #require(IPNetwork(network))
        #expect(parsed.contains(address) == expected)
    }

    @Test(arguments: [("25MB", 25 << 20), ("512 KiB", 512 << 10), ("1g", 1 << 30), ("1024", 1024)] as [(String, Int)])
    func sizesParse(text: String, bytes: Int) {
        #expect(Units.byteSize(text) == bytes)
    }

    @Test(arguments: [("30s", 30.0), ("5m", 300.0), ("1h30m", 5400.0), ("7d", 604_800.0), ("250ms", 0.25), ("12", 12.0)])
    func durationsParse(text: String, seconds: Double) {
        #expect(Units.seconds(text) == seconds)
    }
}
