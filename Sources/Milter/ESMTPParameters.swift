/// The ESMTP parameters after a MAIL FROM or RCPT TO address (`SIZE=1024`, `BODY=8BITMIME`,
/// `SMTPUTF8`), in order and by name (pymilter's `param2dict`).
public struct ESMTPParameters: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The parameters exactly as the MTA sent them, in order.
    public let raw: [String]

    /// Creates the parameters from the `NAME` or `NAME=VALUE` strings the MTA sent.
    public init(_ raw: [String]) { self.raw = raw }

    /// Creates the parameters from an array literal of `NAME` or `NAME=VALUE` strings.
    public init(arrayLiteral elements: String...) { self.raw = elements }

    /// Creates the parameters from one space-separated string, as `smfi_chgfrom` takes them.
    public init(parsing text: String) {
        self.raw = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    /// Names (upper-cased) to values; a parameter with no `=VALUE` (`SMTPUTF8`) maps to nil, as
    /// in pymilter's `param2dict`.
    public var dictionary: [String: String?] {
        var result: [String: String?] = [:]
        for parameter in raw {
            let (name, value) = Self.split(parameter)
            result[name] = .some(value)
        }
        return result
    }

    /// The parameter `name` (any case), as a dictionary lookup: nil when absent, `.some(nil)`
    /// when it has no value (`SMTPUTF8`), else its value.
    public subscript(name: String) -> String?? {
        let wanted = name.uppercased()
        for parameter in raw {
            let (key, value) = Self.split(parameter)
            if key == wanted { return .some(value) }
        }
        return nil
    }

    /// True when the parameter `name` (any case) was given, with or without a value.
    public func contains(_ name: String) -> Bool {
        self[name] != nil
    }

    /// True when there are no parameters.
    public var isEmpty: Bool { raw.isEmpty }

    /// The parameters joined by spaces, as libmilter's `args` arguments take them.
    public var description: String { raw.joined(separator: " ") }

    private static func split(_ parameter: String) -> (String, String?) {
        guard let equals = parameter.firstIndex(of: "=") else { return (parameter.uppercased(), nil) }
        return (String(parameter[..<equals]).uppercased(), String(parameter[parameter.index(after: equals)...]))
    }
}
