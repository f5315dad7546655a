/// Reads the keys of one `[section]`, remembering which it read so that a misspelt key is an
/// error (with a suggestion) rather than a setting silently ignored, and collecting every
/// problem rather than stopping at the first: an administrator fixes a file in one pass.
struct SectionReader {
    let section: String
    let table: TOMLTable
    let file: String
    /// Overrides from `SCANMILTER_<SECTION>_<KEY>`, by key.
    let environment: [String: String]
    private(set) var known: [String] = []
    /// What is wrong so far, in the order found.
    private(set) var problems: [ConfigurationError] = []

    init(section: String, table: TOMLTable, file: String, environment: [String: String]) {
        self.section = section
        self.table = table
        self.file = file
        self.environment = environment
    }

    /// The value of `key` read as `type`: nil when absent, or wrong (then a problem is recorded).
    mutating func value<Value>(_ key: String, _ type: SettingType<Value>) -> Value? {
        known.append(key)
        let input: SettingInput
        if let text = environment[key] {
            input = .text(text)
        } else if let value = table[key] {
            input = .toml(value.kind)
        } else {
            return nil
        }
        switch type.decode(input) {
        case .value(let value):
            return value
        case .wrongType:
            switch input {
            case .text(let text): report(key, "expected \(type.expected), got '\(text)'")
            case .toml(let kind): report(key, "expected \(type.expected), got \(TOMLValue(kind, line: 0).typeName)\(Self.shown(kind))")
            }
        case .invalid(let message):
            report(key, message)
        }
        return nil
    }

    private static func shown(_ kind: TOMLValue.Kind) -> String {
        switch kind {
        case .string(let text): " \"\(text)\""
        case .integer(let value): " \(value)"
        case .boolean(let value): " \(value)"
        default: ""
        }
    }

    /// Counts `key` as known without reading it (a sub-table read by its own reader).
    mutating func markKnown(_ key: String) {
        known.append(key)
    }

    /// Records a problem with `key`, placed where its value came from (the environment variable,
    /// the key's line, or the section's header when the key is absent).
    mutating func report(_ key: String, _ message: String) {
        let name = "\(section).\(key)"
        if environment[key] != nil {
            let variable = ScanmilterConfig.environmentName(section: section, key: key)
            problems.append(ConfigurationError(file: "environment \(variable)", line: nil, key: name, message: message))
        } else if let value = table[key] {
            problems.append(ConfigurationError(file: file, line: value.line, key: name, message: message))
        } else {
            problems.append(ConfigurationError(file: file, line: table.line == 0 ? nil : table.line, key: name, message: message))
        }
    }

    /// Records every key the section does not have, suggesting the nearest known one.
    mutating func reportUnknownKeys() {
        for key in table.keys where !known.contains(key) {
            var message = "unknown key '\(key)'"
            if let suggestion = Self.nearest(key, in: known) { message += "; did you mean '\(suggestion)'?" }
            problems.append(ConfigurationError(file: file, line: table[key]?.line, key: "\(section).\(key)", message: message))
        }
        for key in environment.keys.sorted() where !known.contains(key) {
            report(key, "unknown key '\(key)'")
        }
    }

    /// The known name within edit distance 2 of `name`, if any.
    static func nearest(_ name: String, in candidates: [String]) -> String? {
        candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
