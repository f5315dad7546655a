/// A configuration that cannot be used, naming the file, the line and the key.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or `environment` for an override, `<string>` for text given directly).
    public var file: String
    /// The 1-based line, or nil when the problem has no line (a missing file).
    public var line: Int?
    /// The key as `section.key`, or nil for a problem with the whole file.
    public var key: String?
    /// What is wrong and, where it helps, what would be right.
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `FILE:LINE: [section] key: message`, the form editors and grep understand.
    public var description: String {
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
