/// Reads the keys of one `[section]`, typed, remembering which it read so that a misspelt key
/// is an error (with a suggestion) rather than a setting silently ignored.
struct SectionReader {
    let section: String
    let table: TOMLTable
    let file: String
    /// Overrides from `SCANMILTER_<SECTION>_<KEY>`, by key.
    let environment: [String: String]
    private(set) var known: [String] = []

    init(section: String, table: TOMLTable, file: String, environment: [String: String]) {
        self.section = section
        self.table = table
        self.file = file
        self.environment = environment
    }

    /// A raw value: from the environment (as text) or the file (as TOML), with where it came from.
    private enum Raw {
        case environment(String)
        case file(TOMLValue)
    }

    private mutating func raw(_ key: String) -> Raw? {
        known.append(key)
        if let text = environment[key] { return .environment(text) }
        return table[key].map(Raw.file)
    }

    private func fail(_ key: String, _ raw: Raw, _ message: String) -> ConfigurationError {
        switch raw {
        case .environment:
            let name = "SCANMILTER_\(section.uppercased())_\(key.uppercased())"
            return ConfigurationError(file: "environment \(name)", line: nil, key: "\(section).\(key)", message: message)
        case .file(let value):
            return ConfigurationError(file: file, line: value.line, key: "\(section).\(key)", message: message)
        }
    }

    /// Reads `key` with `convert`, or returns `fallback` when the key is absent.
    private mutating func read<T>(
        _ key: String, _ fallback: T, expected: String,
        fromText: (String) -> T?, fromValue: (TOMLValue.Kind) -> T?
    ) throws(ConfigurationError) -> T {
        guard let raw = raw(key) else { return fallback }
        switch raw {
        case .environment(let text):
            if let value = fromText(text) { return value }
            throw fail(key, raw, "expected \(expected), got '\(text)'")
        case .file(let value):
            if let converted = fromValue(value.kind) { return converted }
            if case .string(let text) = value.kind, let converted = fromText(text), !(T.self == String.self) {
                return converted
            }
            throw fail(key, raw, "expected \(expected), got \(value.typeName)\(Self.shown(value.kind))")
        }
    }

    private static func shown(_ kind: TOMLValue.Kind) -> String {
        switch kind {
        case .string(let text): " \"\(text)\""
        case .integer(let value): " \(value)"
        case .boolean(let value): " \(value)"
        default: ""
        }
    }

    mutating func string(_ key: String, _ fallback: String) throws(ConfigurationError) -> String {
        try read(key, fallback, expected: "a string", fromText: { $0 }, fromValue: {
            if case .string(let text) = $0 { return text }
            return nil
        })
    }

    mutating func bool(_ key: String, _ fallback: Bool) throws(ConfigurationError) -> Bool {
        try read(key, fallback, expected: "true or false", fromText: Self.boolean, fromValue: {
            if case .boolean(let value) = $0 { return value }
            return nil
        })
    }

    mutating func optionalBool(_ key: String) throws(ConfigurationError) -> Bool? {
        try read(key, nil, expected: "true or false", fromText: Self.boolean, fromValue: {
            if case .boolean(let value) = $0 { return value }
            return nil
        })
    }

    mutating func integer(_ key: String, _ fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let value = try read(key, fallback, expected: "a whole number", fromText: { Int($0) }, fromValue: {
            if case .integer(let value) = $0 { return Int(exactly: value) }
            return nil
        })
        if !range.contains(value), let raw = currentRaw(key) {
            throw fail(key, raw, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A size in bytes: an integer or text like "25MB".
    mutating func byteSize(_ key: String, _ fallback: Int) throws(ConfigurationError) -> Int {
        try read(key, fallback, expected: "a size such as 25MB or 1048576", fromText: Units.byteSize, fromValue: {
            if case .integer(let value) = $0, value >= 0 { return Int(exactly: value) }
            return nil
        })
    }

    mutating func optionalByteSize(_ key: String) throws(ConfigurationError) -> Int? {
        try read(key, nil, expected: "a size such as 25MB or 1048576", fromText: Units.byteSize, fromValue: {
            if case .integer(let value) = $0, value >= 0 { return Int(exactly: value) }
            return nil
        })
    }

    mutating func optionalInteger(_ key: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        let value: Int? = try read(key, nil, expected: "a whole number", fromText: { Int($0) }, fromValue: {
            if case .integer(let value) = $0 { return Int(exactly: value) }
            return nil
        })
        if let value, !range.contains(value), let raw = currentRaw(key) {
            throw fail(key, raw, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    /// A duration in seconds: a number or text like "30s", "5m", "7d".
    mutating func seconds(_ key: String, _ fallback: Double) throws(ConfigurationError) -> Double {
        try read(key, fallback, expected: "a duration such as 30s, 5m or 7d", fromText: Units.seconds, fromValue: {
            if case .integer(let value) = $0, value >= 0 { return Double(value) }
            if case .float(let value) = $0, value >= 0, value.isFinite { return value }
            return nil
        })
    }

    mutating func optionalSeconds(_ key: String) throws(ConfigurationError) -> Double? {
        try read(key, nil, expected: "a duration such as 30s, 5m or 7d", fromText: Units.seconds, fromValue: {
            if case .integer(let value) = $0, value >= 0 { return Double(value) }
            if case .float(let value) = $0, value >= 0, value.isFinite { return value }
            return nil
        })
    }

    /// An array of strings; from the environment, a comma-separated list.
    mutating func strings(_ key: String, _ fallback: [String]) throws(ConfigurationError) -> [String] {
        try read(key, fallback, expected: "an array of strings", fromText: { text in
            text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        }, fromValue: { kind in
            guard case .array(let items) = kind else { return nil }
            var out: [String] = []
            for item in items {
                guard case .string(let text) = item.kind else { return nil }
                out.append(text)
            }
            return out
        })
    }

    /// One of an enum's raw values.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ fallback: T) throws(ConfigurationError) -> T
    where T.RawValue == String {
        let names = T.allCases.map(\.rawValue).joined(separator: ", ")
        return try read(key, fallback, expected: "one of \(names)", fromText: { T(rawValue: $0.lowercased()) }, fromValue: {
            if case .string(let text) = $0 { return T(rawValue: text.lowercased()) }
            return nil
        })
    }

    /// An SMTP reply template such as "550 5.7.1 Message rejected: %v".
    mutating func reply(_ key: String, _ fallback: ReplyTemplate, codeClass: ClosedRange<Int>) throws(ConfigurationError) -> ReplyTemplate {
        let template = try read(
            key, fallback, expected: "a reply such as \"550 5.7.1 Message rejected\" (code, enhanced code whose first digit matches, text)",
            fromText: { ReplyTemplate(parsing: $0) },
            fromValue: {
                if case .string(let text) = $0 { return ReplyTemplate(parsing: text) }
                return nil
            })
        if let raw = currentRaw(key) {
            do {
                try template.validate()
            } catch {
                throw fail(key, raw, error.reason)
            }
        }
        if !codeClass.contains(template.code), let raw = currentRaw(key) {
            throw fail(key, raw, "code \(template.code) must be in \(codeClass.lowerBound)-\(codeClass.upperBound)")
        }
        return template
    }

    /// Fails with a message about `key` (for checks that need more than its type).
    func invalid(_ key: String, _ message: String) -> ConfigurationError {
        if let text = environment[key] { return fail(key, .environment(text), message) }
        if let value = table[key] { return fail(key, .file(value), message) }
        return ConfigurationError(file: file, line: table.line == 0 ? nil : table.line, key: "\(section).\(key)", message: message)
    }

    private func currentRaw(_ key: String) -> Raw? {
        if let text = environment[key] { return .environment(text) }
        return table[key].map(Raw.file)
    }

    /// Rejects keys the section does not have, suggesting the nearest known one.
    func rejectUnknownKeys() throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) {
            let line = table[key]?.line
            var message = "unknown key '\(key)'"
            if let suggestion = Self.nearest(key, in: known) { message += "; did you mean '\(suggestion)'?" }
            throw ConfigurationError(file: file, line: line, key: "\(section).\(key)", message: message)
        }
        for key in environment.keys where !known.contains(key) {
            let name = "SCANMILTER_\(section.uppercased())_\(key.uppercased())"
            throw ConfigurationError(file: "environment \(name)", line: nil, key: "\(section).\(key)", message: "unknown key '\(key)'")
        }
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
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
