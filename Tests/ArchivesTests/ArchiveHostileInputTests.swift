import Archives
import Testing

/// Truncated, corrupted and mutated archives: never a crash, never a listing that breaks the limits.
@Suite struct ArchiveHostileInputTests {
    static let limits = ArchiveInspector.Limits(maxDepth: 2, maxEntries: 50, maxPrefixBytes: 1024, maxTotalBytes: 256 * 1024)
    let inspector = ArchiveInspector(limits: Self.limits)

    /// A small archive with a nested zip, in `format`.
    static func sample(_ format: Fixture.Format) throws -> [UInt8] {
        let inner = try Fixture.archive(.zip, [.file("inner/evil.exe", Fixture.executable)])
        return try Fixture.archive(format, [
            .file("readme.txt", "Quarterly figures attached.\n"),
            .directory("docs/"),
            .file("docs/nested.zip", inner),
            .file("docs/invoice.pdf.exe", Fixture.executable),
        ])
    }

    /// What every listing must keep to, whatever the input.
    func expectWithinLimits(_ listing: ArchiveListing?, _ context: String) {
        guard let listing else { return }
        #expect(listing.entries.count <= Self.limits.maxEntries, "\(context)")
        #expect(listing.entries.allSatisfy { $0.contentPrefix.count <= Self.limits.maxPrefixBytes }, "\(context)")
        #expect(listing.entries.allSatisfy { $0.depth <= Self.limits.maxDepth }, "\(context)")
    }

    @Test func truncatedTarGzKeepsTheEntriesBeforeTheCutAndRecordsTheDamage() throws {
        var random = SeededRandom(seed: 11)
        let bytes = try Fixture.archive(.tarGzip, [
            .file("first.txt", "hello"), .file("noise.bin", random.bytes(200_000)), .file("last.exe", Fixture.executable),
        ])
        let listing = try #require(try inspector.inspect(bytes[..<(bytes.count * 6 / 10)]))
        #expect(listing.entries.first?.name == "first.txt")
        #expect(!listing.entries.contains { $0.name == "last.exe" })
        #expect(listing.damaged)
        #expect(listing.defects.first?.error.function.hasPrefix("archive_read_") == true)
    }

    @Test(arguments: [Fixture.Format.zip, .sevenZip, .tar, .tarGzip, .tarXz, .cpio])
    func everyTruncationIsSurvived(format: Fixture.Format) throws {
        let bytes = try Self.sample(format)
        let step = max(1, bytes.count / 400)
        for cut in stride(from: 0, to: bytes.count, by: step) {
            expectWithinLimits(try inspector.inspect(bytes[..<cut]), "\(format) cut at \(cut)")
        }
    }

    @Test(arguments: [Fixture.Format.zip, .sevenZip, .tarGzip])
    func randomMutationsAreSurvived(format: Fixture.Format) throws {
        let original = try Self.sample(format)
        var random = SeededRandom(seed: 0x5EED + UInt64(original.count))
        var listed = 0
        for iteration in 0..<1500 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: .min ... .max, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2: bytes.insert(UInt8.random(in: .min ... .max, using: &random), at: index)
                default: if bytes.count > 1 { bytes.remove(at: index) }
                }
            }
            let listing = try inspector.inspect(bytes)
            if listing != nil { listed += 1 }
            expectWithinLimits(listing, "\(format) iteration \(iteration)")
        }
        // Most mutations leave the archive recognisable: the loop really exercised the readers.
        #expect(listed > 100)
    }

    @Test func truncatedNestedArchiveIsRecordedAsDamageInsideIt() throws {
        // libarchive's gzip reader hands out 64 KiB blocks, so the cut must fall past the first.
        var random = SeededRandom(seed: 5)
        let inner = try Fixture.archive(.tarGzip, [
            .file("a.txt", "a"), .file("noise.bin", random.bytes(200_000)), .file("b.exe", Fixture.executable),
        ])
        let bytes = try Fixture.archive(.zip, [.file("inner.tgz", Array(inner.prefix(inner.count * 6 / 10)))])
        let listing = try #require(try ArchiveInspector().inspect(bytes))
        #expect(listing.entries.map(\.path).prefix(2) == ["inner.tgz", "inner.tgz/a.txt"])
        #expect(listing.entries.first?.isArchive == true)
        #expect(listing.damaged)
        #expect(listing.defects.allSatisfy { $0.archivePath == "inner.tgz" })
    }

    @Test func entryInAnUnsupportedMethodDoesNotHideTheNamesAfterIt() throws {
        var bytes = try Fixture.archive(.zip, [.file("decoy.txt", "decoy"), .file("evil.exe", Fixture.executable)])
        // Mark the first entry as PKWARE implode (method 6), which libarchive cannot decompress:
        // in its local header (method at offset 8) and its central directory record (offset 10).
        let central = try #require((0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 0x01, 0x02]) })
        bytes[8] = 6
        bytes[central + 10] = 6
        let listing = try #require(try ArchiveInspector().inspect(bytes))
        #expect(listing.entries.map(\.name) == ["decoy.txt", "evil.exe"])
        #expect(listing.entries.last?.contentPrefix == Fixture.executable)
        #expect(listing.defects.map(\.error.function) == ["archive_read_data"])
    }
}
