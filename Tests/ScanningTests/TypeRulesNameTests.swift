import Scanning
import Testing

/// The file-name rules: banned and disguised extensions, without any content.
@Suite struct TypeRulesNameTests {
    let rules = TypeRules()

    func names(_ fileName: String, _ rules: TypeRules = TypeRules()) -> [String] { rules.nameRules(fileName).map(\.name) }

    @Test(arguments: [
        ("setup.exe", "banned-extension:exe"), ("SETUP.EXE", "banned-extension:exe"),
        ("run.vbs", "banned-extension:vbs"), ("x.js", "banned-extension:js"), ("a.ps1", "banned-extension:ps1"),
        ("go.bat", "banned-extension:bat"), ("app.hta", "banned-extension:hta"), ("pkg.msi", "banned-extension:msi"),
        ("link.lnk", "banned-extension:lnk"), ("disk.iso", "banned-extension:iso"), ("disk.img", "banned-extension:img"),
        ("disk.vhd", "banned-extension:vhd"), ("disk.vhdx", "banned-extension:vhdx"),
    ])
    func bannedExtensionsAreNamed(_ fileName: String, _ rule: String) {
        #expect(names(fileName) == [rule])
    }

    @Test(arguments: ["report.pdf", "photo.jpeg", "archive.tar.gz", "version.1.2.txt", "Makefile", ".profile", "résumé.docx"])
    func ordinaryNamesFireNothing(_ fileName: String) {
        #expect(names(fileName) == [])
    }

    @Test(arguments: ["evil.exe.", "evil.exe...", "evil.exe   ", "evil.exe . . "])
    func trailingDotsAndSpacesDoNotHideTheExtension(_ fileName: String) {
        #expect(AttachmentName(fileName).realExtension == "exe")
        #expect(names(fileName) == ["banned-extension:exe"])
    }

    @Test(arguments: ["invoice.pdf.exe", "scan.jpg.scr", "Contract.DOCX.js", "invoice.pdf                     .exe"])
    func aDecoyExtensionBeforeADangerousOneIsADoubleExtension(_ fileName: String) {
        #expect(names(fileName).contains("double-extension"))
    }

    @Test func aDoubleExtensionIsCaughtEvenWhereTheLastExtensionIsAllowed() {
        let permissive = TypeRules(bannedExtensions: [])
        #expect(names("invoice.pdf.exe", permissive) == ["double-extension"])
        #expect(names("backup.tar.gz", permissive) == [])
    }

    @Test func aRightToLeftOverrideIsFlaggedAndTheRealExtensionIsUsed() {
        // Displays as "invoice‮fdp.exe" → "invoiceexe.pdf" to the reader; Windows runs it as .exe.
        let name = "invoice\u{202E}fdp.exe"
        #expect(AttachmentName(name).realExtension == "exe")
        #expect(names(name) == ["bidi-override", "banned-extension:exe"])
        // A reversed "scr" hidden in a document name.
        #expect(names("photo\u{202E}gpj.scr").contains("bidi-override"))
    }

    @Test(arguments: ["\u{202D}a.txt", "a\u{2067}b.txt", "a\u{200F}.txt"])
    func otherBidiControlsAreFlaggedToo(_ fileName: String) {
        #expect(names(fileName) == ["bidi-override"])
    }

    @Test func zeroWidthCharactersCannotSplitAnExtension() {
        #expect(AttachmentName("evil.e\u{200B}xe").realExtension == "exe")
        #expect(names("evil.e\u{200B}xe") == ["banned-extension:exe"])
    }

    @Test func fullWidthAndDotLookalikeExtensionsAreFoldedAndFlagged() {
        // U+FF0E FULLWIDTH FULL STOP and full-width letters; U+2024 ONE DOT LEADER.
        #expect(names("invoice\u{FF0E}\u{FF45}\u{FF58}\u{FF45}") == ["lookalike-characters", "banned-extension:exe"])
        #expect(names("invoice\u{2024}pdf").first == "lookalike-characters")
        // Full-width characters in the base name only are ordinary in Japanese mail.
        #expect(names("\u{FF08}\u{FF11}\u{FF09}.pdf") == [])
    }

    @Test func onlyTheLastPathComponentCounts() {
        #expect(AttachmentName("..\\..\\windows\\evil.exe").realExtension == "exe")
        #expect(AttachmentName("docs.exe/readme.txt").realExtension == "txt")
    }

    @Test func theMailClientListsContainTheirWellKnownEntries() {
        #expect(BannedExtensions.gmail.isSuperset(of: ["exe", "js", "iso", "img", "vhd", "lnk", "msi", "ps1", "hta"]))
        #expect(BannedExtensions.outlookLevel1.isSuperset(of: ["exe", "vbs", "hta", "lnk", "vhdx", "url", "reg", "py"]))
        #expect(!BannedExtensions.default.contains("pdf"))
        #expect(BannedExtensions.default.isSuperset(of: BannedExtensions.gmail))
    }
}
