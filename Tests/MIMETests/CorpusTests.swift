import Foundation
import MIME
import Testing

/// The generated corpus (scripts/mime/generate_corpus.py): every message parses to its stored,
/// reviewed reading. For well-formed messages that reading is Python's email package's
/// (scripts/mime/reference.py); for malformed ones it was reviewed by hand, and
/// scripts/mime/compare.sh lists where and why Python reads them differently.
@Suite("MIME corpus")
struct CorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// The message names (without `.eml`), sorted.
    static let names: [String] = {
        let messages = directory.appendingPathComponent("messages").path
        let files = (try? FileManager.default.contentsOfDirectory(atPath: messages)) ?? []
        return files.filter { $0.hasSuffix(".eml") }.map { String($0.dropLast(4)) }.sorted()
    }()

    @Test("the corpus holds at least 100 messages, each with a stored expectation")
    func corpusIsLargeAndComplete() {
        #expect(Self.names.count >= 100)
        #expect(Self.names.filter { $0.hasPrefix("malformed-") }.count >= 30)
        for name in Self.names {
            let expected = Self.directory.appendingPathComponent("expected/\(name).json").path
            #expect(FileManager.default.fileExists(atPath: expected), "no expected/\(name).json")
        }
    }

    @Test("each corpus message parses to its reviewed leaves, defects and alternative readings", arguments: names)
    func parsesToExpectedReading(name: String) throws {
        let path = Self.directory.appendingPathComponent("messages/\(name).eml").path
        let parsed = MIMEParser().parse(try MessageBytes(mappingFile: path))
        let actual = CorpusReading(file: "\(name).eml", parsed: parsed)
        Self.record(actual, name: name)

        let data = try Data(contentsOf: Self.directory.appendingPathComponent("expected/\(name).json"))
        let expected = try JSONDecoder().decode(CorpusReading.self, from: data)
        let compare = {
            #expect(actual.parts == expected.parts, "leaves of \(name):\n\(Self.json(actual))")
            #expect(actual.defects == expected.defects, "defects of \(name)")
            #expect(actual.alternatives == expected.alternatives, "alternative readings of \(name)")
        }
        if let issue = expected.knownParserIssue {
            // The expectation is the correct reading; the parser does not produce it yet.
            // Intermittent, so the fix makes the test pass rather than fail on a missing issue.
            withKnownIssue(Comment(rawValue: issue), isIntermittent: true, compare)
        } else {
            compare()
        }
        if !name.hasPrefix("malformed-") {
            #expect(expected.referenceDiffers == nil, "a well-formed message must read as Python reads it")
        }
    }

    /// With MIME_CORPUS_RECORD=DIR, writes each actual reading to DIR/NAME.json, for
    /// scripts/mime/make_expected.py to offer for review. Off unless asked for.
    static func record(_ reading: CorpusReading, name: String) {
        guard let dir = ProcessInfo.processInfo.environment["MIME_CORPUS_RECORD"] else { return }
        let url = URL(fileURLWithPath: dir).appendingPathComponent("\(name).json")
        try? Data(json(reading).utf8).write(to: url)
    }

    static func json(_ reading: CorpusReading) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(reading)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}
