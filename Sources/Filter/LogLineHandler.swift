#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
import StableJSON

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
        let record = JSONRecord(time: timestamp(), level: "\(level)", logger: label, message: message, metadata: metadata)
        // Strings, arrays and objects of strings: nothing here can fail to encode.
        return (try? StableJSONEncoder().encode(record)) ?? "{}"
    }

    /// A JSON string literal (also used for quoted text values).
    static func quoted(_ text: String) -> String {
        StableJSONEncoder.quoted(text)
    }

    /// One JSON log line: time, level, logger and message, then the metadata in key order.
    private struct JSONRecord: Encodable {
        let time: String
        let level: String
        let logger: String
        let message: String
        let metadata: Logger.Metadata

        func encode(to encoder: any Encoder) throws {
            var fields = encoder.container(keyedBy: MetadataKey.self)
            try fields.encode(time, forKey: MetadataKey("time"))
            try fields.encode(level, forKey: MetadataKey("level"))
            try fields.encode(logger, forKey: MetadataKey("logger"))
            try fields.encode(message, forKey: MetadataKey("message"))
            try MetadataValue.encode(metadata, into: &fields)
        }
    }

    /// A metadata value as JSON: text as a string, arrays and dictionaries (keys sorted) as such.
    private struct MetadataValue: Encodable {
        let value: Logger.Metadata.Value

        func encode(to encoder: any Encoder) throws {
            switch value {
            case .string(let text):
                var single = encoder.singleValueContainer()
                try single.encode(text)
            case .stringConvertible(let convertible):
                var single = encoder.singleValueContainer()
                try single.encode("\(convertible)")
            case .array(let items):
                try items.map(MetadataValue.init).encode(to: encoder)
            case .dictionary(let dictionary):
                var fields = encoder.container(keyedBy: MetadataKey.self)
                try Self.encode(dictionary, into: &fields)
            }
        }

        static func encode(_ dictionary: Logger.Metadata, into fields: inout KeyedEncodingContainer<MetadataKey>) throws {
            for key in dictionary.keys.sorted() {
                guard let value = dictionary[key] else { continue }
                try fields.encode(MetadataValue(value: value), forKey: MetadataKey(key))
            }
        }
    }

    private struct MetadataKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(_ name: String) {
            stringValue = name
        }

        init?(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }

    /// A bare text value with its control characters escaped as in a JSON string
    /// (`evil\ninjected`), so a value cannot start a line of its own; quotes and backslashes
    /// stay as they are (a value with a quote is quoted whole).
    private static func escapedControls(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || !scalar.properties.generalCategory.isControlOrSeparator {
                out.unicodeScalars.append(scalar)
            } else {
                out += StableJSONEncoder.quoted(String(scalar)).dropFirst().dropLast()
            }
        }
        return out
    }
}

extension Unicode.GeneralCategory {
    /// Control characters and the line and paragraph separators: the only scalars a JSON string
    /// literal may escape besides quote and backslash.
    fileprivate var isControlOrSeparator: Bool {
        self == .control || self == .lineSeparator || self == .paragraphSeparator
    }
}
