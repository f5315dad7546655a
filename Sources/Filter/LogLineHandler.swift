#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
import StableJSON

/// A swift-log handler that writes one line per event: readable text
/// (`2026-11-25T10:00:00Z info scanmilter: 4Q1: message done verdict=clean`) or one JSON
/// object per line for log shippers. A message's lines start with its Postfix queue id, as
/// Postfix's own do, so `grep 4Q1 /var/log/mail.log` tells its whole story. Lines are written
/// with a single `write` (or datagram) each, so concurrent connections never interleave
/// within a line.
public struct LogLineHandler: LogHandler {
    /// Output format.
    public enum Format: String, Sendable {
        case text, json
    }

    /// Where the lines go.
    public enum Destination: Sendable {
        /// A file, stdout or a terminal: each line starts with our timestamp and level.
        case descriptor(Int32)
        /// systemd's journal through stderr (`$JOURNAL_STREAM`): each line starts with its
        /// priority (`<4>`, sd-daemon(3)) and carries no timestamp, the journal keeps its own.
        case journal(Int32)
        /// The local syslog daemon; the priority and the time go in the datagram's header.
        case syslog(SyslogWriter)
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: Format
    private let destination: Destination

    /// A handler writing to `destination` (a descriptor is kept open for the process's life).
    public init(label: String, destination: Destination, format: Format, level: Logger.Level) {
        self.label = label
        self.destination = destination
        self.format = format
        self.logLevel = level
    }

    /// A handler writing timestamped lines to `descriptor`.
    public init(label: String, descriptor: Int32, format: Format, level: Logger.Level) {
        self.init(label: label, destination: .descriptor(descriptor), format: format, level: level)
    }

    /// The syslog severity of a swift-log level (syslog(3): 2 critical, 3 error, 4 warning,
    /// 5 notice, 6 info, 7 debug; trace is debug too).
    public static func severity(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Whether `descriptor` is the stream systemd connected to the journal: `$JOURNAL_STREAM`
    /// (`DEVICE:INODE`) names it, and it is still that file (systemd.exec(5): a process whose
    /// stderr was redirected elsewhere must not use the journal's line prefixes).
    public static func isJournalStream(_ descriptor: Int32, environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
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
        let message = "\(event.message)"
        let descriptor: Int32
        var line: String
        switch destination {
        case .descriptor(let output):
            descriptor = output
            line = format == .json
                ? Self.jsonLine(level: event.level, label: label, message: message, metadata: all)
                : Self.textLine(level: event.level, label: label, message: message, metadata: all)
        case .journal(let output):
            descriptor = output
            line = "<\(Self.severity(event.level))>" + (format == .json
                ? Self.jsonLine(level: event.level, label: label, message: message, metadata: all)
                : Self.systemLine(level: event.level, message: message, metadata: all))
        case .syslog(let writer):
            let body = format == .json
                ? Self.jsonLine(level: event.level, label: label, message: message, metadata: all)
                : Self.systemLine(level: event.level, message: message, metadata: all)
            writer.send(severity: Self.severity(event.level), body: body)
            return
        }
        line += "\n"
        let bytes = Array(line.utf8)
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
        "\(timestamp()) \(level) \(label): " + body(message: message, metadata: metadata)
    }

    /// A line for the journal or syslog, which record the time, the priority and the program:
    /// `4Q1: message done verdict=clean`, and for warnings and worse `4Q1: warning: ...` as
    /// Postfix writes them, so they stand out in `/var/log/mail.log` too.
    static func systemLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        body(message: level >= .warning ? "\(level): \(message)" : message, metadata: metadata)
    }

    /// The metadata key whose value starts a message's every line.
    static let queueIDKey = "mail.queue_id"

    /// `QUEUEID: message key=value ...`, keys in order, the queue id not repeated among them.
    static func body(message: String, metadata: Logger.Metadata) -> String {
        var line = message
        if let queueID = metadata[queueIDKey].map({ "\($0)" }), !queueID.isEmpty {
            line = escapedControls(queueID) + ": " + line
        }
        for key in metadata.keys.sorted() where key != queueIDKey {
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
