import MilterProtocol

/// How a key's value is read, from TOML or from an environment variable's text, and what an
/// administrator is told when it is wrong.
struct SettingType<Value> {
    /// Where a value came from, as the type sees it.
    typealias Decoded = DecodedSetting<Value>

    /// What a right value looks like, for "expected …" messages ("a size such as 25MB or 1048576").
    let expected: String
    /// Whether an absent key means "unset" (left to a library's own default) rather than a
    /// default of ours; such keys are commented out in the reference file.
    let unsetByDefault: Bool
    let decode: (SettingInput) -> Decoded

    /// A type read by `fromTOML` from the file and by `fromText` from the environment; a TOML
    /// string is read as text too (`max_message_size = "25MB"`, `add_status = "yes"`).
    init(expected: String, fromTOML: @escaping (TOMLValue.Kind) -> Value?, fromText: @escaping (String) -> Value?) {
        self.init(expected: expected, unsetByDefault: false) { input in
            switch input {
            case .text(let text):
                return fromText(text).map(Decoded.value) ?? .wrongType
            case .toml(let kind):
                if let value = fromTOML(kind) { return .value(value) }
                if case .string(let text) = kind, let value = fromText(text) { return .value(value) }
                return .wrongType
            }
        }
    }

    private init(expected: String, unsetByDefault: Bool, decode: @escaping (SettingInput) -> Decoded) {
        self.expected = expected
        self.unsetByDefault = unsetByDefault
        self.decode = decode
    }

    /// This type, then `convert`: a value it returns, or the message of a failure.
    func converted<Other>(_ convert: @escaping (Value) -> Result<Other, ConfigurationMessage>) -> SettingType<Other> {
        SettingType<Other>(expected: expected, unsetByDefault: unsetByDefault) { input in
            switch decode(input) {
            case .value(let value):
                switch convert(value) {
                case .success(let converted): .value(converted)
                case .failure(let failure): .invalid(failure.text)
                }
            case .wrongType: .wrongType
            case .invalid(let message): .invalid(message)
            }
        }
    }

    /// This type, refusing values for which `problem` returns a message.
    func checked(_ problem: @escaping (Value) -> String?) -> SettingType<Value> {
        converted { value in
            if let message = problem(value) { return .failure(ConfigurationMessage(message)) }
            return .success(value)
        }
    }

    /// `base` for a key that may be left unset (nil keeps ClamAV's own default).
    static func optional<Wrapped>(_ base: SettingType<Wrapped>) -> SettingType<Wrapped?> where Value == Wrapped? {
        SettingType<Wrapped?>(expected: base.expected, unsetByDefault: true) { input in
            switch base.decode(input) {
            case .value(let value): .value(value)
            case .wrongType: .wrongType
            case .invalid(let message): .invalid(message)
            }
        }
    }
}

/// Where a value came from, as a ``SettingType`` sees it.
enum SettingInput {
    /// An environment override, always text.
    case text(String)
    /// A value written in the file.
    case toml(TOMLValue.Kind)
}

/// What reading one value gave.
enum DecodedSetting<Value> {
    case value(Value)
    /// Not the type the key takes: reported as "expected …, got …".
    case wrongType
    /// The right type but not acceptable: reported with this message.
    case invalid(String)
}

/// The message of a value that has the right type but cannot be used.
struct ConfigurationMessage: Error {
    let text: String

    init(_ text: String) {
        self.text = text
    }
}

extension SettingType where Value == String {
    /// Any text.
    static var string: Self {
        Self(expected: "a string", fromTOML: {
            if case .string(let text) = $0 { return text }
            return nil
        }, fromText: { $0 })
    }
}

extension SettingType where Value == Bool {
    /// `true` or `false` (from text also yes/no, on/off, 1/0).
    static var bool: Self {
        Self(expected: "true or false", fromTOML: {
            if case .boolean(let value) = $0 { return value }
            return nil
        }, fromText: { text in
            switch text.lowercased() {
            case "true", "yes", "on", "1": true
            case "false", "no", "off", "0": false
            default: nil
            }
        })
    }
}

extension SettingType where Value == Int {
    /// A whole number within `range`.
    static func integer(_ range: ClosedRange<Int>) -> Self {
        Self(expected: "a whole number", fromTOML: {
            if case .integer(let value) = $0 { return Int(exactly: value) }
            return nil
        }, fromText: { Int($0) })
        .checked { value in
            range.contains(value) ? nil : "must be between \(range.lowerBound) and \(range.upperBound), got \(value)"
        }
    }

    /// A size in bytes: an integer or text like "25MB".
    static var byteSize: Self {
        Self(expected: "a size such as 25MB or 1048576", fromTOML: {
            if case .integer(let value) = $0, value >= 0 { return Int(exactly: value) }
            return nil
        }, fromText: Units.byteSize)
    }
}

extension SettingType where Value == Double {
    /// A duration in seconds: a number or text like "30s", "5m", "7d".
    static var seconds: Self {
        Self(expected: "a duration such as 30s, 5m or 7d", fromTOML: {
            if case .integer(let value) = $0, value >= 0 { return Double(value) }
            if case .float(let value) = $0, value >= 0, value.isFinite { return value }
            return nil
        }, fromText: Units.seconds)
    }
}

extension SettingType where Value == [String] {
    /// An array of strings; from the environment, a comma-separated list.
    static var strings: Self {
        Self(expected: "an array of strings", fromTOML: { kind in
            guard case .array(let items) = kind else { return nil }
            var out: [String] = []
            for item in items {
                guard case .string(let text) = item.kind else { return nil }
                out.append(text)
            }
            return out
        }, fromText: { text in
            text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        })
    }
}

extension SettingType where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enum's raw values, in any case.
    static var choice: Self {
        let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
        return Self(expected: "one of \(names)", fromTOML: {
            if case .string(let text) = $0 { return Value(rawValue: text.lowercased()) }
            return nil
        }, fromText: { Value(rawValue: $0.lowercased()) })
    }
}

extension SettingType where Value == ReplyTemplate {
    /// An SMTP reply template such as "550 5.7.1 Message rejected: %v" whose code is in `codes`.
    static func reply(codes: ClosedRange<Int>) -> Self {
        Self(
            expected: "a reply such as \"550 5.7.1 Message rejected\" (code, enhanced code whose first digit matches, text)",
            fromTOML: {
                if case .string(let text) = $0 { return ReplyTemplate(parsing: text) }
                return nil
            },
            fromText: { ReplyTemplate(parsing: $0) })
        .checked { template in
            // A template libmilter could not send is refused here, not dropped at reply time.
            do throws(SMTPReplyError) {
                try template.validate()
            } catch {
                return error.reason
            }
            return codes.contains(template.code) ? nil : "code \(template.code) must be in \(codes.lowerBound)-\(codes.upperBound)"
        }
    }
}
