import ClamAV
import Foundation
import Testing

/// Each heuristic alert the engine options expose, proven on and off by a sample that trips it.
/// Not here: OLE2 macros (no macro document can be made or found on this machine) and the
/// phishing SSL-mismatch and cloak switches (libclamav 1.4 flags a link to a protected domain
/// with or without them; no sample tried showed a difference).
@Suite struct HeuristicsTests {
    /// A sample and the heuristic name it should raise with its option on.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var on: EngineOptions
        var off: EngineOptions
        var expected: String
        var extraDatabase: [String: String] = [:]
        var sample: @Sendable (URL) throws -> [UInt8]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "encrypted archive",
            on: EngineOptions(heuristics: .encryptedArchives), off: EngineOptions(),
            expected: "Heuristics.Encrypted.Zip",
            sample: { try Samples.zip(Array("hello\n".utf8), name: "hello.txt", password: "secret", in: $0) }),
        Case(
            label: "encrypted document",
            on: EngineOptions(heuristics: .encryptedDocuments), off: EngineOptions(),
            expected: "Heuristics.Encrypted.PDF",
            sample: { _ in Samples.encryptedPDF() }),
        Case(
            label: "partition intersection",
            on: EngineOptions(heuristics: .partitionIntersection), off: EngineOptions(),
            expected: "Heuristics.MBRPartitionnIntersect",  // libclamav's spelling
            sample: { _ in Samples.overlappingPartitions() }),
        Case(
            label: "broken executable",
            on: EngineOptions(heuristics: .brokenExecutables), off: EngineOptions(),
            expected: "Heuristics.Broken.Executable",
            sample: { _ in try Samples.brokenExecutable() }),
        Case(
            label: "structured data",
            on: EngineOptions(heuristics: .structuredData), off: EngineOptions(),
            expected: "Heuristics.Structured.CreditCardNumber",
            sample: { _ in Samples.creditCards }),
        Case(
            label: "exceeds max",
            on: EngineOptions(maxFileSize: 1000, heuristics: .exceedsMax), off: EngineOptions(maxFileSize: 1000),
            expected: "Heuristics.Limits.Exceeded.MaxFileSize",
            sample: { _ in Array(repeating: UInt8(ascii: "x"), count: 5000) }),
        Case(
            label: "heuristic alerts master switch",
            on: EngineOptions(heuristics: .encryptedArchives),
            off: EngineOptions(heuristicAlerts: false, heuristics: .encryptedArchives),
            expected: "Heuristics.Encrypted.Zip",
            sample: { try Samples.zip(Array("hello\n".utf8), name: "hello.txt", password: "secret", in: $0) }),
        Case(
            label: "phishing signatures",
            on: EngineOptions(), off: EngineOptions(phishingSignatures: false),
            expected: "Heuristics.Phishing.Email.SSL-Spoof",
            extraDatabase: ["scanmilter-test.pdb": Samples.phishingDatabase],
            sample: { _ in Samples.phishingMessage }),
    ]

    @Test(arguments: cases)
    func heuristicAlertsOnlyWhenItsOptionIsOn(_ testCase: Case) throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp, extra: testCase.extraDatabase)
        let sample = try testCase.sample(temp)
        let on = try Engine(databaseDirectory: db.path, options: testCase.on)
        let off = try Engine(databaseDirectory: db.path, options: testCase.off)
        let result = on.scan(sample[...])
        #expect(result == .matched([testCase.expected]))
        #expect(result.heuristicNames == [testCase.expected] && result.signatureNames.isEmpty)
        #expect(off.scan(sample[...]) == .clean)
    }

}
