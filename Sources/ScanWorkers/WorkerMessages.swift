import ErrorCodes
import Scanning

/// What the milter asks a worker to scan, and how.
enum ScanRequest: String, Sendable {
    /// The bytes in the passed memfd, with every parser, mail included.
    case full
    /// The bytes in the passed memfd with libclamav's mail parser off.
    case raw
    /// The passed file from its start to its end, with every parser.
    case file

    var line: String { "SCAN " + rawValue }

    init?(line: String) {
        guard line.hasPrefix("SCAN "), let request = ScanRequest(rawValue: String(line.dropFirst(5))) else { return nil }
        self = request
    }
}

extension ScanVerdict {
    /// One line of the worker protocol: `CLEAN`, `INFECTED<TAB>name...`, `UNSCANNABLE<TAB>code<TAB>detail`.
    var workerLine: String {
        switch self {
        case .clean:
            return "CLEAN"
        case .infected(let names):
            return (["INFECTED"] + names.map(Self.field)).joined(separator: "\t")
        case .unscannable(let reason):
            return ["UNSCANNABLE", Self.field(reason.code.description), Self.field(reason.detail)].joined(separator: "\t")
        }
    }

    /// The verdict a worker's line stands for; nil for anything else.
    init?(workerLine line: String) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch fields.first {
        case "CLEAN" where fields.count == 1:
            self = .clean
        case "INFECTED" where fields.count > 1:
            self = .infected(Array(fields.dropFirst()))
        case "UNSCANNABLE" where fields.count == 3:
            self = .unscannable(UnscannableReason(UnscannableReason.Code(fields[1]), fields[2]))
        default:
            return nil
        }
    }

    /// A field of a line: tabs and line breaks become spaces.
    private static func field(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
