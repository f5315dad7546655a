#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// A swift-log handler that writes one line per event to a file descriptor: readable text
/// (`2026-11-25T10:00:00Z info scanmilter: message done queue_id=4Q1 verdict=clean`) or one JSON
/// object per line for log shippers. Lines are written with a single `write` each, so
/// concurrent connections never interleave within a line.
public struct LogLineHandler: LogHandler {
    /// Output format.
    public enum Format: String, Sendable {
        case text, json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: Format
    private let descriptor: Int32

    /// A handler writing to `descriptor` (kept open for the process's life).
    public init(label: String, descriptor: Int32, format: Format, level: Logger.Level) {
        self.label = label
        self.descriptor = descriptor
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata {
            all.merge(extra) { _, new in new }
        }
        let line = format == .json
            ? Self.jsonLine(level: event.level, label: label, message: "\(event.message)", metadata: all)
            : Self.textLine(level: event.level, label: label, message: "\(event.message)", metadata: all)
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }  // a full disk or closed pipe must not stop mail
                offset += written
            }
        }
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        let millis = now.tv_nsec / 1_000_000
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(millis), 3))Z"
    }

    static func textLine(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(timestamp()) \(level) \(label): \(message)"
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            let text = "\(value)"
            let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
            line += " \(key)=" + (needsQuotes ? quoted(text) : escapedControls(text))
        }
        return line
    }

    static func jsonLine(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var fields = ["\"time\":\(quoted(timestamp()))", "\"level\":\(quoted("\(level)"))",
                      "\"logger\":\(quoted(label))", "\"message\":\(quoted(message))"]
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            fields.append("\(quoted(key)):\(json(value))")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let value): quoted("\(value)")
        case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let dict): "{" + dict.keys.sorted().compactMap { key in dict[key].map { "\(quoted(key)):\(json($0))" } }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (also used for quoted text values).
    static func quoted(_ text: String) -> String {
        "\"" + escapedControls(text, escapeQuotes: true) + "\""
    }

    private static func escapedControls(_ text: String, escapeQuotes: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where escapeQuotes: out += "\\\""
            case "\\" where escapeQuotes: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
