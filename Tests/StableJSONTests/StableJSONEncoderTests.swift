import Foundation
import StableJSON
import Testing

@Suite struct StableJSONEncoderTests {
    struct Part: Codable, Equatable {
        var path: String
        var charset: String?
        var size: Int
        var defects: [String]
    }

    struct Report: Codable, Equatable {
        var zeta: String
        var alpha: Double
        var parts: [Part]
        var counts: [String: Int]
        var empty: [Int]
        var none: [String: Int]
        var flag: Bool?
        var numbers: [Double]
        var when: Date
    }

    static let report = Report(
        zeta: "a/b \"q\" \\ \n\u{1}", alpha: 2.5,
        parts: [Part(path: "1", charset: nil, size: 5, defects: []), Part(path: "2", charset: "utf-8", size: 0, defects: ["x"])],
        counts: ["b": 2, "a": 1], empty: [], none: [:], flag: nil, numbers: [3, 0.00001, 123_456.789, -2.5e-9, 1e20], when: Date(timeIntervalSince1970: 1_790_000_000))

    @Test func keysComeOutInTheOrderTheValueEncodesThem() throws {
        let text = try StableJSONEncoder(writesNulls: true).encode(Self.report.parts[0])
        #expect(text == #"{"path":"1","charset":null,"size":5,"defects":[]}"#)
        #expect(try StableJSONEncoder(writesNulls: true).encode(Self.report).contains(#""flag":null,"#))
    }

    @Test func nilOptionalsAreLeftOutUnlessNullsAreAskedFor() throws {
        #expect(try StableJSONEncoder().encode(Self.report.parts[0]) == #"{"path":"1","size":5,"defects":[]}"#)
    }

    @Test func sortedPrettyOutputIsFoundationsLayout() throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        foundation.dateEncodingStrategy = .iso8601
        let expected = String(decoding: try foundation.encode(Self.report), as: UTF8.self)
        let ours = try StableJSONEncoder(sortedKeys: true, prettyPrinted: true).encode(Self.report)
        #expect(ours == expected, "\(ours)\n---\n\(expected)")
    }

    @Test func compactOutputReadsBackAsTheSameValue() throws {
        let text = try StableJSONEncoder().encode(Self.report)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(Report.self, from: Data(text.utf8)) == Self.report)
        #expect(!text.contains("\n"))
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("q\"b\\", #""q\"b\\""#),
        ("\n\r\t\u{0}\u{1f}", #""\n\r\t\u0000\u001f""#),
        ("\u{7f}\u{85}\u{2028}\u{2029}é", #""\u007f\u0085\u2028\u2029é""#),
    ])
    func stringsEscapeQuotesBackslashesAndControls(text: String, literal: String) {
        #expect(StableJSONEncoder.quoted(text) == literal)
    }

    @Test func numbersThatAreNotFiniteAreRefused() {
        #expect(throws: EncodingError.self) { try StableJSONEncoder().encode([Double.nan]) }
    }

    struct Extended: Encodable {
        let part: Part

        enum CodingKeys: String, CodingKey {
            case defects, extra
        }

        func encode(to encoder: any Encoder) throws {
            try part.encode(to: encoder)
            var fields = encoder.container(keyedBy: CodingKeys.self)
            try fields.encode(["replaced"], forKey: .defects)
            try fields.encode(true, forKey: .extra)
        }
    }

    @Test func aValueCanExtendAnotherAndAKeyWrittenAgainIsReplacedInPlace() throws {
        let text = try StableJSONEncoder().encode(Extended(part: Self.report.parts[1]))
        #expect(text == #"{"path":"2","charset":"utf-8","size":0,"defects":["replaced"],"extra":true}"#)
    }
}
