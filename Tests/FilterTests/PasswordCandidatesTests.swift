@testable import Filter
import Foundation
import Testing

/// The passwords a message gives for its attachments, against a corpus of 30 samples
/// (Tests/FilterTests/Corpus/passwords/samples.json, written before the extractor) in English,
/// German, French, Spanish, Italian, Portuguese and Dutch, in subjects, plain text and HTML.
@Suite struct PasswordCandidatesTests {
    struct Sample: Decodable, CustomTestStringConvertible, Sendable {
        var id: String
        var `where`: String
        var password: String
        var text: String
        var testDescription: String { id }
    }

    static let samples: [Sample] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus/passwords/samples.json")
        guard let data = try? Data(contentsOf: url), let samples = try? JSONDecoder().decode([Sample].self, from: data) else { return [] }
        return samples
    }()

    /// The sample's text as the pipeline would hand it to the extractor.
    static func candidates(_ sample: Sample) -> [String] {
        let text = sample.where == "html" ? HTMLText.reduce(sample.text) : sample.text
        return PasswordCandidates.extract(from: [text], limit: 20)
    }

    @Test func theCorpusHoldsThirtySamplesInSevenLanguages() {
        #expect(Self.samples.count == 30)
        let languages = Set(Self.samples.map { $0.id.prefix(2) })
        #expect(languages == ["en", "de", "fr", "es", "it", "pt", "nl"])
    }

    @Test(arguments: samples) func thePasswordOfEachSampleIsAmongItsCandidates(_ sample: Sample) {
        let candidates = Self.candidates(sample)
        #expect(candidates.contains(sample.password), "\(candidates)")
    }

    @Test func atLeastNineInTenSamplesGiveTheirPasswordWithinFiveCandidates() {
        let found = Self.samples.filter { Self.candidates($0).prefix(5).contains($0.password) }.count
        print("password corpus: \(found)/\(Self.samples.count) found within 5 candidates")
        #expect(found * 10 >= Self.samples.count * 9)
    }

    @Test func textWithoutAPasswordWordGivesNoCandidates() {
        #expect(PasswordCandidates.extract(from: ["Hello,\nthe report is attached.\nRegards"], limit: 20).isEmpty)
    }

    @Test func candidatesStopAtTheLimit() {
        let text = (1...50).map { "password: secret\($0)" }.joined(separator: "\n")
        #expect(PasswordCandidates.extract(from: [text], limit: 20).count == 20)
    }

    @Test func htmlIsReducedToItsTextWithEntitiesAndWithoutScript() {
        let text = HTMLText.reduce("<p>Pass&shy;<script>var pw='no'</script>word:&nbsp;<b>a&amp;b</b><br/>next</p>")
        #expect(!text.contains("no'"))
        #expect(text.contains("a&b"))
        #expect(text.contains("\nnext"))
    }
}
