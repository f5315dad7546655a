extension RecipientOverride {
    /// The name of the array of tables in the file: `[[override]]`.
    static let tableName = "override"
}

extension ScanmilterConfig {
    /// Reads every `[[override]]`, each starting from `base`'s sections; problems are collected
    /// with their lines like any other key's.
    static func readOverrides(_ value: TOMLValue?, base: ScanmilterConfig, file: String, problems: inout [ConfigurationError]) -> [RecipientOverride] {
        guard let value else { return [] }
        guard case .array(let items) = value.kind else {
            problems.append(ConfigurationError(
                file: file, line: value.line, key: nil,
                message: "'override' is written [[override]] (an array of tables, one per group of recipients)"))
            return []
        }
        var overrides: [RecipientOverride] = []
        for (index, item) in items.enumerated() {
            guard case .table(let table) = item.kind else {
                problems.append(ConfigurationError(file: file, line: item.line, key: nil, message: "each override is a [[override]] table"))
                continue
            }
            let override = readOverride(table, number: index + 1, base: base, file: file, problems: &problems)
            if overrides.contains(where: { $0.name == override.name }) {
                problems.append(ConfigurationError(
                    file: file, line: table["name"]?.line ?? table.line, key: "override.name",
                    message: "'\(override.name)' names two overrides; metrics and logs tell them apart by name"))
            }
            overrides.append(override)
        }
        return overrides
    }

    private static func readOverride(
        _ table: TOMLTable, number: Int, base: ScanmilterConfig, file: String, problems: inout [ConfigurationError]
    ) -> RecipientOverride {
        var reader = SectionReader(section: RecipientOverride.tableName, table: table, file: file, environment: [:])
        let name = reader.value("name", SettingType.string.checked { name in
            name.isEmpty || name.contains(where: { $0.isWhitespace || $0.isNewline }) ? "a name without spaces, e.g. \"lab\"" : nil
        }) ?? "override-\(number)"
        let recipients = reader.value("recipients", SettingType.strings.converted(Self.patterns))
        if recipients == nil && table["recipients"] == nil {
            reader.report("recipients", "an override needs recipients, e.g. [\"@lab.example.org\", \"ceo@example.com\"]")
        }
        for key in ["actions", "reply", "policy", "notify"] { reader.markKnown(key) }
        reader.reportUnknownKeys()
        problems += reader.problems

        var changed: [String] = []
        let actions = readChanges(base.actions, from: table["actions"], allowed: nil, file: file, problems: &problems, changed: &changed)
        let reply = readChanges(base.reply, from: table["reply"], allowed: nil, file: file, problems: &problems, changed: &changed)
        let policy = readChanges(
            base.policy, from: table["policy"], allowed: RecipientOverride.policyKeys, file: file, problems: &problems, changed: &changed)
        var admins: [String]?
        if let notify = table["notify"] {
            if case .table(let notifyTable) = notify.kind {
                var notifyReader = SectionReader(section: "override.notify", table: notifyTable, file: file, environment: [:])
                admins = notifyReader.value("admins", SettingType.strings.checked(Self.addressProblem))
                if admins != nil { changed.append("notify.admins") }
                notifyReader.reportUnknownKeys()
                problems += notifyReader.problems
            } else {
                problems.append(ConfigurationError(file: file, line: notify.line, key: "override.notify", message: "expected a table [override.notify]"))
            }
        }
        return RecipientOverride(
            name: name, recipients: recipients ?? [], actions: actions, reply: reply, policy: policy, notifyAdmins: admins,
            line: table.line, changedKeys: changed)
    }

    /// `base` with the keys `value` (an `[override.SECTION]` table) writes; `allowed` limits the
    /// keys an override may change (nil: all of the section's).
    private static func readChanges<Section: SettingsSection>(
        _ base: Section, from value: TOMLValue?, allowed: Set<String>?, file: String,
        problems: inout [ConfigurationError], changed: inout [String]
    ) -> Section {
        guard let value else { return base }
        let section = "\(RecipientOverride.tableName).\(Section.name)"
        guard case .table(let table) = value.kind else {
            problems.append(ConfigurationError(file: file, line: value.line, key: section, message: "expected a table [\(section)]"))
            return base
        }
        var reader = SectionReader(section: section, table: table, file: file, environment: [:])
        var result = base
        for setting in Section.settings {
            if let allowed, !allowed.contains(setting.name) {
                if table[setting.name] != nil {
                    reader.markKnown(setting.name)
                    reader.report(setting.name, "cannot differ per recipient (it applies to the whole connection or scan); set it in [\(Section.name)]")
                }
                continue
            }
            setting.read(&reader, &result)
            if table[setting.name] != nil { changed.append("\(Section.name).\(setting.name)") }
        }
        result.checkTogether(&reader)
        reader.reportUnknownKeys()
        problems += reader.problems
        return result
    }

    private static func patterns(_ texts: [String]) -> Result<[RecipientPattern], ConfigurationMessage> {
        guard !texts.isEmpty else {
            return .failure(ConfigurationMessage("an override needs at least one recipient"))
        }
        var patterns: [RecipientPattern] = []
        for text in texts {
            guard let pattern = RecipientPattern(text) else {
                return .failure(ConfigurationMessage(
                    "'\(text)' is not an address, @domain or @.domain (the domain and its subdomains)"))
            }
            patterns.append(pattern)
        }
        return .success(patterns)
    }

    /// A notification address: `user@domain`, nothing else (it goes into RCPT TO).
    static func addressProblem(_ addresses: [String]) -> String? {
        for address in addresses {
            if case .address? = RecipientPattern(address)?.kind { continue }
            return "'\(address)' is not an address such as postmaster@example.org"
        }
        return nil
    }
}
