/// A value from a TOML document, with the line it was written on so errors can point at it.
public struct TOMLValue: Sendable, Equatable {
    /// The kinds of value the configuration uses.
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// Offset date-times, local dates and times, kept as written (no key takes one yet).
        case dateTime(String)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    /// What the value is.
    public var kind: Kind
    /// The 1-based line the value starts on.
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// A short name of the value's type for error messages ("a string", "an array").
    public var typeName: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime: "a date-time"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: keys in the order they were written, each with its value.
public struct TOMLTable: Sendable, Equatable {
    /// Keys in document order.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    /// The line of the `[header]` that opened the table (or of its first key), 0 for the root.
    public var line: Int

    public init(line: Int = 0) {
        self.line = line
    }

    /// The value under `key`, if any.
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }
}
