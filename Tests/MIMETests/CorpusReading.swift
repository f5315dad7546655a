import Checksum
import Foundation
import MIME

/// A message's reading in the shape of `scanmilterctl mime --json` (plus the alternative
/// readings), as stored in Tests/MIMETests/Corpus/expected/NAME.json.
struct CorpusReading: Codable, Equatable {
    /// One leaf: what a scanner sees of it.
    struct Leaf: Codable, Equatable {
        var path: String
        var contentType: String
        var charset: String?
        var filename: String?
        var disposition: String?
        var encoding: String
        var size: Int
        var sha256: String
        /// Defect names of this part, from parsing and then decoding.
        var defects: [String]
        /// For an alternative reading, what differs; absent in the main reading.
        var reading: String?

        enum CodingKeys: String, CodingKey {
            case path, contentType = "content_type", charset, filename, disposition, encoding, size, sha256
            case defects, reading
        }

        // Optionals are written as null (like Python's json) so expected files read the same
        // whichever tool wrote them.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(contentType, forKey: .contentType)
            try c.encode(charset, forKey: .charset)
            try c.encode(filename, forKey: .filename)
            try c.encode(disposition, forKey: .disposition)
            try c.encode(encoding, forKey: .encoding)
            try c.encode(size, forKey: .size)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(defects, forKey: .defects)
            try c.encodeIfPresent(reading, forKey: .reading)
        }
    }

    var file: String
    var parts: [Leaf]
    /// Every defect name of the message, in the parser's order.
    var defects: [String]
    /// Leaves seen only under another plausible reading (empty for unambiguous mail).
    var alternatives: [Leaf]
    /// Why Python's email package reads this message differently (malformed messages only).
    var referenceDiffers: String?
    /// Set when the parser is known to read this message wrongly today: what is wrong.
    var knownParserIssue: String?

    enum CodingKeys: String, CodingKey {
        case file, parts, defects, alternatives
        case referenceDiffers = "reference_differs", knownParserIssue = "known_parser_issue"
    }
}

extension CorpusReading {
    /// What our parser makes of `message`.
    init(file: String, parsed: ParsedMessage) {
        self.file = file
        parts = parsed.leaves.map(Leaf.init)
        alternatives = parsed.alternativeLeaves.map(Leaf.init)
        defects = parsed.defects.map(\.name)
    }
}

extension CorpusReading.Leaf {
    /// A leaf's facts, its content decoded in full.
    init(_ part: MIMEPart) {
        let content = part.decode()
        path = part.path
        contentType = part.contentType.mimeType
        charset = part.charset
        filename = part.filename
        disposition = part.disposition
        encoding = part.transferEncoding
        size = content.bytes.count
        sha256 = SHA256.hex(content.bytes)
        defects = (part.defects + content.defects).map(\.name)
        reading = part.reading
    }
}
