/// A configuration that cannot be used, naming the file, the line and the key of its first
/// problem; the others found in the same pass are in ``furtherProblems``.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or `environment` for an override, `<string>` for text given directly).
    public var file: String
    /// The 1-based line, or nil when the problem has no line (a missing file).
    public var line: Int?
    /// The key as `section.key`, or nil for a problem with the whole file.
    public var key: String?
    /// What is wrong and, where it helps, what would be right.
    public var message: String
    /// The other problems found in the same pass, in the order ``allProblems`` gives.
    public var furtherProblems: [ConfigurationError] = []

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// One error for all of `problems`, in the file's line order (problems without a line, such
    /// as environment overrides, last); nil when there are none.
    init?(_ problems: [ConfigurationError]) {
        let ordered = problems.enumerated().sorted { a, b in
            (a.element.line ?? .max, a.offset) < (b.element.line ?? .max, b.offset)
        }.map(\.element)
        guard var first = ordered.first else { return nil }
        first.furtherProblems = Array(ordered.dropFirst())
        self = first
    }

    /// This problem and every further one, each on its own.
    public var allProblems: [ConfigurationError] {
        var first = self
        first.furtherProblems = []
        return [first] + furtherProblems
    }

    /// `FILE:LINE: [section] key: message`, the form editors and grep understand; one line per problem.
    public var description: String {
        ([Self.formatted(self)] + furtherProblems.map(Self.formatted)).joined(separator: "\n")
    }

    private static func formatted(_ problem: ConfigurationError) -> String {
        let file = problem.file, line = problem.line, key = problem.key, message = problem.message
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key {
            let parts = key.split(separator: ".", maxSplits: 1)
            text += parts.count == 2 ? "[\(parts[0])] \(parts[1]): " : "\(key): "
        }
        return text + message
    }
}
