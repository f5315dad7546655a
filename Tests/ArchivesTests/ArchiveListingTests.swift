import Archives
import Testing

/// Names and contents listed from real archives that libarchive's writer made in the test.
@Suite struct ArchiveListingTests {
    let inspector = ArchiveInspector()

    static let files: [Fixture.File] = [
        .file("readme.txt", "hello\n"),
        .directory("docs/"),
        .file("docs/invoice.pdf.exe", Fixture.executable),
    ]

    @Test(arguments: Fixture.Format.allCases)
    func namesAreListedInArchiveOrder(format: Fixture.Format) throws {
        let bytes = try Fixture.archive(format, Self.files)
        let listing = try #require(try inspector.inspect(bytes))
        let files = listing.entries.filter { !$0.isDirectory }
        #expect(files.map(\.path) == ["readme.txt", "docs/invoice.pdf.exe"])
        #expect(files.map(\.name) == ["readme.txt", "invoice.pdf.exe"])
        #expect(files.map(\.contentPrefix) == [Array("hello\n".utf8), Fixture.executable])
        #expect(files.allSatisfy { $0.depth == 0 && !$0.isEncrypted && !$0.isArchive })
        #expect(listing.isComplete)
        if format != .sevenZip {
            // 7-Zip stores no size for a directory, and tar-family formats keep them anyway.
            #expect(listing.entries.contains { $0.isDirectory && $0.name == "docs" })
        }
    }

    @Test(arguments: [
        (Fixture.Format.zip, "ZIP", [String]()), (.sevenZip, "7-Zip", []), (.tar, "tar", []),
        (.tarGzip, "tar", ["gzip"]), (.tarXz, "tar", ["xz"]), (.tarBzip2, "tar", ["bzip2"]),
    ])
    func formatAndFiltersAreNamed(format: Fixture.Format, formatWord: String, filters: [String]) throws {
        let listing = try #require(try inspector.inspect(try Fixture.archive(format, Self.files)))
        #expect(listing.format.lowercased().contains(formatWord.lowercased()), "\(listing.format)")
        #expect(listing.filters == filters)
    }

    @Test func loneGzipNamesItsContentFromTheHeader() throws {
        let bytes = try Fixture.gzip(Fixture.executable, originalName: "invoice.exe")
        let listing = try #require(try inspector.inspect(bytes, name: "invoice.gz"))
        #expect(listing.format == "raw")
        #expect(listing.filters == ["gzip"])
        #expect(listing.entries.map(\.name) == ["invoice.exe"])
        #expect(listing.entries.first?.contentPrefix == Fixture.executable)
    }

    @Test func loneCompressedFileWithoutANameTakesTheAttachmentNameLessItsSuffix() throws {
        let gzip = try #require(try inspector.inspect(try Fixture.gzip(Fixture.executable), name: "report.exe.gz"))
        #expect(gzip.entries.map(\.name) == ["report.exe"])
        let bzip2 = try #require(try inspector.inspect(try Fixture.bzip2(Fixture.executable), name: "Report.EXE.BZ2"))
        #expect(bzip2.entries.map(\.name) == ["Report.EXE"])
        #expect(bzip2.entries.first?.contentPrefix == Fixture.executable)
        let unnamed = try #require(try inspector.inspect(try Fixture.bzip2(Fixture.executable)))
        #expect(unnamed.entries.map(\.name) == [""])
    }

    @Test func hostileNamesAreKeptAsStored() throws {
        let names = ["../../etc/cron.d/x", "/abs/path.sh", "bell\u{07}name.txt", "invoice\u{202E}fdp.exe", "résumé.doc"]
        let bytes = try Fixture.archive(.zip, names.map { .file($0, "x") })
        let listing = try #require(try inspector.inspect(bytes))
        #expect(listing.entries.map(\.path) == names)
        #expect(listing.entries.map(\.name) == ["x", "path.sh", "bell\u{07}name.txt", "invoice\u{202E}fdp.exe", "résumé.doc"])
    }

    @Test func gzipInsideZipIsOpenedAndNamed() throws {
        let inner = try Fixture.gzip(Fixture.executable)
        let bytes = try Fixture.archive(.zip, [.file("payload.exe.gz", inner)])
        let listing = try #require(try inspector.inspect(bytes))
        #expect(listing.entries.map(\.path) == ["payload.exe.gz", "payload.exe.gz/payload.exe"])
        #expect(listing.entries.map(\.depth) == [0, 1])
        #expect(listing.entries.first?.isArchive == true)
        #expect(listing.entries.last?.contentPrefix == Fixture.executable)
    }

    static let notArchives: [String: [UInt8]] = [
        "plain text": Array("Dear customer, please find attached\n".utf8),
        "empty": [],
        "zeros": [UInt8](repeating: 0, count: 4096),
        "executable": Fixture.executable,
    ]

    @Test(arguments: notArchives.keys.sorted())
    func whatIsNotAnArchiveGivesNil(label: String) throws {
        #expect(try inspector.inspect(Self.notArchives[label] ?? [1]) == nil)
    }

    @Test func randomBytesAreNotAnArchive() throws {
        var random = SeededRandom(seed: 7)
        for _ in 0..<50 {
            #expect(try inspector.inspect(random.bytes(2048)) == nil)
        }
    }

    @Test func inspectionsRunConcurrentlyWithTheSameResult() async throws {
        let bytes = try Fixture.nestedZips(levels: 3, innermost: .file("evil.exe", Fixture.executable))
        let expected = try inspector.inspect(bytes)
        let inspector = self.inspector
        try await withThrowingTaskGroup(of: ArchiveListing?.self) { group in
            for _ in 0..<16 {
                group.addTask { try inspector.inspect(bytes) }
            }
            for try await listing in group {
                #expect(listing == expected)
            }
        }
    }
}
