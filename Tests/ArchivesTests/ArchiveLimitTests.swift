import Archives
import Foundation
import Testing

/// Each limit stops a hostile archive where it should, and says which limit it was.
@Suite struct ArchiveLimitTests {
    static let evil = Fixture.File.file("evil.exe", Fixture.executable)

    @Test func nestedZipsAreOpenedDownToTheDepthLimitAndNoFurther() throws {
        let bytes = try Fixture.nestedZips(levels: 5, innermost: Self.evil)
        let listing = try #require(try ArchiveInspector(limits: .init(maxDepth: 3)).inspect(bytes))
        #expect(listing.entries.map(\.path) == [
            "level2.zip", "level2.zip/level3.zip", "level2.zip/level3.zip/level4.zip",
            "level2.zip/level3.zip/level4.zip/level5.zip",
        ])
        #expect(listing.entries.map(\.depth) == [0, 1, 2, 3])
        #expect(listing.entries.allSatisfy { $0.isArchive })
        #expect(listing.limitsReached == [.depth])
        #expect(!listing.damaged)
    }

    @Test func nestingWithinTheLimitIsListedToTheInnermostFile() throws {
        let bytes = try Fixture.nestedZips(levels: 5, innermost: Self.evil)
        let listing = try #require(try ArchiveInspector(limits: .init(maxDepth: 4)).inspect(bytes))
        let last = try #require(listing.entries.last)
        #expect(last.path == "level2.zip/level3.zip/level4.zip/level5.zip/evil.exe")
        #expect(last.name == "evil.exe")
        #expect(last.depth == 4)
        #expect(last.contentPrefix == Fixture.executable)
        #expect(listing.isComplete)
    }

    @Test func depthZeroListsTheOuterArchiveOnly() throws {
        let bytes = try Fixture.nestedZips(levels: 2, innermost: Self.evil)
        let listing = try #require(try ArchiveInspector(limits: .init(maxDepth: 0)).inspect(bytes))
        #expect(listing.entries.map(\.path) == ["level2.zip"])
        #expect(listing.reached(.depth))
    }

    @Test func entriesPastTheLimitAreNotListed() throws {
        let files = (0..<50).map { Fixture.File.file("file\($0).txt", "x") }
        let bytes = try Fixture.archive(.zip, files)
        let listing = try #require(try ArchiveInspector(limits: .init(maxEntries: 10)).inspect(bytes))
        #expect(listing.entries.map(\.path) == (0..<10).map { "file\($0).txt" })
        #expect(listing.limitsReached == [.entries])
    }

    @Test func entryLimitCountsNestedEntriesToo() throws {
        let inner = try Fixture.archive(.zip, (0..<8).map { .file("inner\($0).txt", "x") })
        let bytes = try Fixture.archive(.zip, [.file("a.zip", inner), .file("b.txt", "x")])
        let listing = try #require(try ArchiveInspector(limits: .init(maxEntries: 5)).inspect(bytes))
        #expect(listing.entries.count == 5)
        #expect(listing.reached(.entries))
        #expect(!listing.entries.contains { $0.path == "b.txt" })
    }

    /// 16 MiB of zeros: the bomb's payload, against a 1 MiB budget.
    static let bomb = Fixture.File.file("bomb.bin", [UInt8](repeating: 0, count: 16 << 20))
    static let small = ArchiveInspector.Limits(maxPrefixBytes: 4096, maxTotalBytes: 1 << 20)

    @Test func zipBombIsListedFromPrefixesWithoutInflatingIt() throws {
        // Zip records each entry's compressed size, so what follows a prefix is skipped unread.
        let bytes = try Fixture.archive(.zip, [Self.bomb, Self.evil])
        let listing = try #require(try ArchiveInspector(limits: Self.small).inspect(bytes))
        #expect(listing.entries.map(\.name) == ["bomb.bin", "evil.exe"])
        #expect(listing.entries.first?.size == 16 << 20)
        #expect(listing.entries.first?.contentPrefix.count == 4096)
        #expect(listing.isComplete)
    }

    @Test(arguments: [Fixture.Format.tarGzip, .sevenZip, .tarXz])
    func bombInACompressedStreamStopsAtTheByteLimit(format: Fixture.Format) throws {
        // Skipping here would mean decompressing all of it, so it is read against the budget.
        let bytes = try Fixture.archive(format, [Self.bomb, Self.evil])
        let listing = try #require(try ArchiveInspector(limits: Self.small).inspect(bytes))
        #expect(listing.entries.map(\.name) == ["bomb.bin"])
        #expect(listing.limitsReached == [.bytes])
    }

    @Test func loneGzipBombStopsAtTheByteLimit() throws {
        let bytes = try Fixture.gzip(Self.bomb.content, originalName: "disk.img")
        let listing = try #require(try ArchiveInspector(limits: Self.small).inspect(bytes))
        #expect(listing.entries.map(\.name) == ["disk.img"])
        #expect(listing.entries.first?.contentPrefix.count == 4096)
        #expect(listing.reached(.bytes))
    }

    @Test func nestedArchiveLargerThanTheBudgetIsNotReadWhole() throws {
        var random = SeededRandom(seed: 3)
        let inner = try Fixture.archive(.zip, [.file("noise.bin", random.bytes(2 << 20))])
        let bytes = try Fixture.archive(.zip, [.file("inner.zip", inner), Self.evil])
        let listing = try #require(try ArchiveInspector(limits: Self.small).inspect(bytes))
        #expect(listing.entries.map(\.path) == ["inner.zip"])
        #expect(listing.entries.first?.isArchive == true)
        #expect(listing.reached(.bytes))
    }

    @Test func encryptedZipIsFlaggedAndItsNamesStillListed() throws {
        let bytes = try Fixture.archive(.zip, [.file("readme.txt", "hi"), Self.evil], passphrase: "secret")
        let listing = try #require(try ArchiveInspector().inspect(bytes))
        #expect(listing.encrypted)
        #expect(listing.entries.map(\.name) == ["readme.txt", "evil.exe"])
        #expect(listing.entries.allSatisfy { $0.isEncrypted && $0.contentPrefix.isEmpty })
        #expect(!listing.damaged)
    }

    @Test func encryptedZipInsideAPlainZipFlagsTheWholeListing() throws {
        let inner = try Fixture.archive(.zip, [Self.evil], passphrase: "secret")
        let bytes = try Fixture.archive(.zip, [.file("locked.zip", inner)])
        let listing = try #require(try ArchiveInspector().inspect(bytes))
        #expect(listing.encrypted)
        #expect(listing.entries.map(\.path) == ["locked.zip", "locked.zip/evil.exe"])
    }

    @Test func zipEncryptedByInfoZipIsFlagged() throws {
        // Info-ZIP's `zip -P` (Debian's zip, in scripts/install-deps.sh): an encrypter other than
        // the library that reads it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("archives-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Fixture.executable).write(to: directory.appendingPathComponent("evil.exe"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = directory
        process.arguments = ["-q", "-P", "secret", "locked.zip", "evil.exe"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("locked.zip")))
        let listing = try #require(try ArchiveInspector().inspect(bytes))
        #expect(listing.encrypted)
        #expect(listing.entries.map(\.name) == ["evil.exe"])
        #expect(listing.entries.first?.isEncrypted == true)
    }

    /// Headers cost decompression too: a tar.gz of enormous names is charged to the byte budget.
    @Test func hugeNamesInACompressedTarStopAtTheByteLimit() throws {
        let longName = String(repeating: "A", count: 100_000)
        let files = (0..<100).map { Fixture.File.file("\(longName)\($0).txt", "x") }
        let bytes = try Fixture.archive(.tarGzip, files)
        let limits = ArchiveInspector.Limits(maxTotalBytes: 1 << 20)
        let listing = try #require(try ArchiveInspector(limits: limits).inspect(bytes))
        #expect(listing.reached(.bytes))
        #expect(listing.entries.count < 20)
    }
}
