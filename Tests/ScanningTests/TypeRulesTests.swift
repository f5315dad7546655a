import FileMagic
import Foundation
import Scanning
import Testing

/// TypeRules on types detected by real libmagic from real bytes.
@Suite struct TypeRulesTests {
    let detector: TypeDetector
    let rules = TypeRules()

    init() throws { detector = try TypeDetector() }

    func names(_ hits: [TypeRuleHit]) -> [String] { hits.map(\.name) }

    @Test(arguments: [
        ("pe", FileMagicSamples.pe, "banned-type:pe-executable"),
        ("elf", FileMagicSamples.elf, "banned-type:elf-executable"),
        ("shell script", FileMagicSamples.shellScript, "banned-type:script"),
        ("batch file", FileMagicSamples.batchFile, "banned-type:script"),
        ("lnk", FileMagicSamples.lnk, "banned-type:shortcut"),
        ("iso", FileMagicSamples.iso, "banned-type:disk-image"),
        ("vhd", FileMagicSamples.vhd, "banned-type:disk-image"),
    ])
    func bannedContentIsNamedByCategoryWhateverTheFileIsCalled(_ label: String, _ bytes: [UInt8], _ rule: String) throws {
        let detected = try detector.detect(bytes)
        #expect(rules.bannedType(detected)?.name == rule, "\(label): \(detected)")
    }

    @Test(arguments: [
        ("pdf", FileMagicSamples.pdf), ("png", FileMagicSamples.png), ("zip", FileMagicSamples.plainZip),
        ("docx", FileMagicSamples.docx), ("text", FileMagicSamples.plainText), ("ole", FileMagicSamples.ole),
    ])
    func ordinaryDocumentsAreNotBanned(_ label: String, _ bytes: [UInt8]) throws {
        let detected = try detector.detect(bytes)
        #expect(rules.bannedType(detected) == nil, "\(label): \(detected)")
    }

    @Test func aWindowsInstallerPackageIsBannedAndBetrayedByItsName() throws {
        let dir = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let detected = try detector.detect(try FileMagicSamples.msi(in: dir))
        #expect(detected.mimeType == "application/x-msi")
        #expect(rules.bannedType(detected)?.name == "banned-type:msi-installer")
        #expect(rules.extensionMismatch(fileName: "invoice.pdf", detected: detected)?.name == "type-mismatch:pdf-is-msi")
        // A legacy Word name on an installer: both are OLE2 files, but not the same kind.
        #expect(rules.extensionMismatch(fileName: "letter.doc", detected: detected)?.name == "type-mismatch:word-ole-is-msi")
    }

    @Test func aCategoryLeftOutOfTheBannedSetDoesNotFire() throws {
        let permissive = TypeRules(bannedCategories: [.peExecutable])
        #expect(permissive.bannedType(try detector.detect(FileMagicSamples.shellScript)) == nil)
        #expect(permissive.bannedType(try detector.detect(FileMagicSamples.pe))?.name == "banned-type:pe-executable")
    }

    @Test func aRawDiskImageIsRecognisedByDescriptionDespiteAGenericMIMEType() throws {
        let mbr = [UInt8](repeating: 0, count: 510) + [0x55, 0xaa]
        let detected = try detector.detect(mbr)
        #expect(detected.mimeType == "application/octet-stream")
        #expect(rules.bannedType(detected)?.name == "banned-type:disk-image")
    }

    @Test func randomDataThatStartsWithAJumpIsNotAnExecutable() throws {
        // Bytes libmagic calls "DOS executable (COM)": a jump opcode and its operand, then noise
        // (about one random, compressed or encrypted file in a hundred looks like this).
        var state: UInt32 = 12345
        let noise = (0..<4088).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let bytes: [UInt8] = [0xEB, 0x23, 0x71, 0x75, 0xB6, 0xBE, 0x56, 0xC4] + noise
        let detected = try detector.detect(bytes)
        #expect(detected.description.hasPrefix("DOS executable (COM"), "\(detected)")
        #expect(rules.bannedType(detected) == nil, "\(detected)")
        #expect(rules.extensionMismatch(fileName: "backup.pdf", detected: detected) == nil)
        // A real program still is.
        #expect(rules.bannedType(try detector.detect(FileMagicSamples.pe))?.name == "banned-type:pe-executable")
    }

    // MARK: mismatches

    @Test func aPDFNameOnAnExecutableIsATypeMismatch() throws {
        let detected = try detector.detect(FileMagicSamples.pe)
        #expect(rules.extensionMismatch(fileName: "invoice.pdf", detected: detected)?.name == "type-mismatch:pdf-is-pe")
        #expect(rules.contentTypeMismatch(declared: "application/pdf; name=invoice.pdf", detected: detected)?.name
            == "content-type-mismatch:pdf-is-pe")
    }

    @Test func aJPEGNameOnAPNGIsAMismatchButAMatchingNameIsNot() throws {
        let png = try detector.detect(FileMagicSamples.png)
        #expect(rules.extensionMismatch(fileName: "photo.jpg", detected: png)?.name == "type-mismatch:jpeg-is-png")
        #expect(rules.extensionMismatch(fileName: "photo.PNG", detected: png) == nil)
        #expect(rules.contentTypeMismatch(declared: "IMAGE/PNG", detected: png) == nil)
    }

    @Test(arguments: [
        // Generic declarations claim nothing.
        ("application/octet-stream", FileMagicSamples.pdf),
        ("binary/octet-stream", FileMagicSamples.pe),
        ("application/x-download", FileMagicSamples.png),
        // Common legitimate variants of a type.
        ("image/jpg", FileMagicSamples.jpeg), ("image/pjpeg", FileMagicSamples.jpeg),
        ("application/x-zip-compressed", FileMagicSamples.plainZip),
        ("application/x-pdf", FileMagicSamples.pdf),
        // Office formats are containers libmagic may report as their container.
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", FileMagicSamples.plainZip),
        ("application/msword", FileMagicSamples.ole), ("application/vnd.ms-excel", FileMagicSamples.ole),
        // Text is text: libmagic's text/plain fits any textual declaration.
        ("text/html", FileMagicSamples.plainText), ("text/csv", FileMagicSamples.plainText),
        // Types the table does not know are not judged.
        ("application/x-something-new", FileMagicSamples.pdf),
    ])
    func usualLegitimateVariationsAreNotMismatches(_ declared: String, _ bytes: [UInt8]) throws {
        let detected = try detector.detect(bytes)
        #expect(rules.contentTypeMismatch(declared: declared, detected: detected) == nil, "\(declared) vs \(detected.mimeType)")
    }

    @Test(arguments: [
        ("report.docx", FileMagicSamples.plainZip), ("report.doc", FileMagicSamples.ole), ("notes.txt", FileMagicSamples.plainText),
        ("page.html", FileMagicSamples.plainText), ("data.bin", FileMagicSamples.pe), ("README", FileMagicSamples.pe),
    ])
    func extensionsThatFitOrClaimNothingAreNotMismatches(_ name: String, _ bytes: [UInt8]) throws {
        #expect(rules.extensionMismatch(fileName: name, detected: try detector.detect(bytes)) == nil)
    }

    @Test func aDocxThatIsReallyAZippedExecutableMismatchesOnlyWhenContentIsNotZip() throws {
        #expect(rules.extensionMismatch(fileName: "cv.docx", detected: try detector.detect(FileMagicSamples.pe))?.name
            == "type-mismatch:word-ooxml-is-pe")
        #expect(rules.extensionMismatch(fileName: "cv.docx", detected: try detector.detect(FileMagicSamples.pdf))?.name
            == "type-mismatch:word-ooxml-is-pdf")
    }

    @Test func mismatchesCanBeSwitchedOff() throws {
        let quiet = TypeRules(reportsMismatches: false)
        let hits = quiet.evaluate(detected: try detector.detect(FileMagicSamples.png), fileName: "a.pdf", declaredContentType: "application/pdf")
        #expect(hits.isEmpty)
    }

    // MARK: everything together

    @Test func anExecutableDisguisedAsAnInvoiceFiresEveryRuleThatApplies() throws {
        let detected = try detector.detect(FileMagicSamples.pe)
        let hits = rules.evaluate(detected: detected, fileName: "Invoice.PDF.exe", declaredContentType: "application/pdf")
        #expect(names(hits) == [
            "banned-type:pe-executable", "banned-extension:exe", "double-extension", "content-type-mismatch:pdf-is-pe",
        ])
    }

    @Test func aCleanPhotoFiresNothing() throws {
        let hits = rules.evaluate(detected: try detector.detect(FileMagicSamples.jpeg), fileName: "holiday.jpg", declaredContentType: "image/jpeg")
        #expect(hits.isEmpty)
    }

    @Test func noNameAndNoDeclaredTypeStillChecksTheContent() throws {
        let hits = rules.evaluate(detected: try detector.detect(FileMagicSamples.lnk), fileName: nil, declaredContentType: nil)
        #expect(names(hits) == ["banned-type:shortcut"])
    }
}
