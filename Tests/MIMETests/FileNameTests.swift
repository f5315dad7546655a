import MIME
import Testing

/// Where a part's file name comes from and what is done to it before anyone sees it.
@Suite struct FileNameTests {
    @Test func contentDispositionFilenameWinsOverContentTypeName() {
        let parsed = parse("Content-Type: application/pdf; name=\"a.pdf\"\nContent-Disposition: attachment; filename=\"a.pdf\"\n\n")
        #expect(parsed.root.filename == "a.pdf")
        #expect(parsed.defects.isEmpty)
        #expect(parsed.alternativeLeaves.isEmpty)
    }

    @Test func contentTypeNameIsUsedWithoutAFilename() {
        let parsed = parse("Content-Type: application/zip; name=b.zip\nContent-Disposition: attachment\n\n")
        #expect(parsed.root.filename == "b.zip")
    }

    @Test(arguments: ["../../etc/evil.exe", "C:\\Users\\x\\evil.exe", "/tmp/evil.exe", "a/b\\evil.exe"])
    func directoryComponentsAreStripped(raw: String) {
        let parsed = parse("Content-Disposition: attachment; filename=\"\(raw.replacingOccurrences(of: "\\", with: "\\\\"))\"\n\n")
        #expect(parsed.root.filename == "evil.exe")
        #expect(defectNames(parsed) == ["FileNameWithPath"])
    }

    @Test func aRightToLeftOverrideIsKeptAndFlagged() {
        // "invoice<RLO>fdp.exe" shows as "invoiceexe.pdf"; the real extension must survive.
        let parsed = parse("Content-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe\n\n")
        #expect(parsed.root.filename == "invoice\u{202E}fdp.exe")
        #expect(defectNames(parsed) == ["SuspiciousFileNameCharacters"])
    }

    @Test func controlCharactersAreFlagged() {
        let parsed = parse("Content-Disposition: attachment; filename*=utf-8''a%0Ab.txt\n\n")
        #expect(parsed.root.filename == "a\nb.txt")
        #expect(defectNames(parsed) == ["SuspiciousFileNameCharacters"])
    }

    @Test func differingNameAndFilenameAreBothReadings() {
        let parsed = parse("""
        Content-Type: application/octet-stream; name="payload.exe"
        Content-Disposition: attachment; filename="harmless.txt"

        MZ
        """)
        #expect(parsed.root.filename == "harmless.txt")
        #expect(defectNames(parsed) == ["ConflictingFileNames"])
        #expect(parsed.alternativeLeaves.map(\.filename) == ["payload.exe"])
        #expect(parsed.alternativeLeaves.first?.reading?.contains("payload.exe") == true)
        #expect(parsed.alternativeLeaves.first?.bodyRange == parsed.root.bodyRange)
    }

    @Test func anRFC2231FilenameWinsOverAPlainOneAndADifferenceIsAReading() {
        let parsed = parse("Content-Disposition: attachment; filename=\"a.txt\"; filename*=utf-8''b.exe\n\n")
        #expect(parsed.root.filename == "b.exe")
        #expect(parsed.alternativeLeaves.map(\.filename) == ["a.txt"])
    }
}
