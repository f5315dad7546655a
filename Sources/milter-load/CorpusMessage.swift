import Foundation
import MilterClient

/// One message of the load corpus, split both ways an MTA may hand it over (with and without
/// the leading space of header values), so no parsing happens while the clock runs.
struct CorpusMessage: Sendable {
    /// The file name without extension (`small-0007`).
    let name: String
    /// The corpus class: the file name up to its first `-` (`small`, `office`, `large`, `eicar`, `banned`).
    let kind: String
    /// The size of the raw message in bytes.
    let size: Int
    let plain: MilterMessage
    let leadingSpace: MilterMessage

    init(name: String, raw: [UInt8]) {
        self.name = name
        kind = name.split(separator: "-", maxSplits: 1).first.map(String.init) ?? name
        size = raw.count
        plain = MilterMessage(parsing: raw, keepLeadingSpace: false)
        leadingSpace = MilterMessage(parsing: raw, keepLeadingSpace: true)
    }

    /// The message as a milter that negotiated `keepLeadingSpace` (SMFIP_HDR_LEADSPC) expects it.
    func message(keepLeadingSpace: Bool) -> MilterMessage {
        keepLeadingSpace ? leadingSpace : plain
    }

    /// Reads every `*.eml` file of `directory`, in name order.
    static func load(directory: String) throws -> [CorpusMessage] {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".eml") }
            .sorted()
        return try names.map { file in
            let data = try Data(contentsOf: url.appendingPathComponent(file))
            return CorpusMessage(name: String(file.dropLast(4)), raw: [UInt8](data))
        }
    }
}
