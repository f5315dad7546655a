import ArgumentParser
import Foundation
import Quarantine
import StableJSON

/// One id's result of a command that acts on several ids (release, delete).
protocol PerIDResult: Encodable {
    /// 0, or the sysexits status this id alone would exit with.
    var exitCode: Int32 { get }
}

/// How the quarantine commands print: JSON with sorted keys and ISO 8601 dates (stable for
/// scripts), human text otherwise, errors on standard error.
enum QuarantineOutput {
    /// Prints `value` as JSON with every key present: a nil optional (an empty store's `oldest`,
    /// an entry's `postfix_config_directory`) is `null`, so scripts always find the same keys.
    static func json(_ value: some Encodable) throws {
        let text = try StableJSONEncoder(sortedKeys: true, prettyPrinted: true, writesNulls: true).encode(value)
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("scanmilterctl: " + text + "\n").utf8))
    }

    /// Prints per-id results as JSON when asked (text was printed as each came), then fails
    /// with the first failure's exit status, if any.
    static func finish(_ results: [some PerIDResult], json: Bool) throws {
        if json { try Self.json(results) }
        if let failure = results.first(where: { $0.exitCode != 0 }) {
            throw CLIFailure(reported: SysExit(rawValue: failure.exitCode) ?? .ioError)
        }
    }

    /// The failure to throw for a store error.
    static func fail(_ error: any Error) -> CLIFailure {
        guard let error = error as? QuarantineError else { return CLIFailure("\(error)", code: .ioError) }
        return CLIFailure(error.message, code: SysExit(error))
    }

    /// `2026-11-25 10:07Z`.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// `1.2 MiB`.
    static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Text cut to `width` characters with an ellipsis.
    static func cut(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    /// Rows as left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]]) {
        guard let columns = rows.map(\.count).max() else { return }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            line(cells.joined(separator: "  "))
        }
    }
}

/// `--since` and `--older-than` values: a duration back from now (`90m`, `12h`, `7d`, `2w`,
/// `1d12h`) or a date (`2026-11-25`, UTC midnight) or a time (`2026-11-25T10:00:00Z`).
enum QuarantineTime {
    /// The moment a `--since` option names; a usage error when it is neither a duration nor a date.
    static func since(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let moment = moment(text) else {
            throw ValidationError("--since '\(text)' is neither a duration (7d, 12h) nor a date (2026-11-25)")
        }
        return moment
    }

    static func seconds(_ text: String) -> Double? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "s": total += value
            case "m", "min": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            case "w": total += value * 7 * 86400
            default: return nil
            }
        }
        return total
    }

    static func moment(_ text: String, now: Date = Date()) -> Date? {
        if let seconds = seconds(text) { return now.addingTimeInterval(-seconds) }
        let withTime = ISO8601DateFormatter()
        if let date = withTime.date(from: text) { return date }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        return dateOnly.date(from: text)
    }
}

/// `--status` values: the entry statuses by name.
struct StatusArgument: ExpressibleByArgument {
    let status: EntryStatus

    init?(argument: String) {
        guard let status = EntryStatus(rawValue: argument.lowercased()) else { return nil }
        self.status = status
    }

    static var allValueStrings: [String] { EntryStatus.allCases.map(\.rawValue) }
}
