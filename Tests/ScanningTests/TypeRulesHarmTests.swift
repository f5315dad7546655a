import FileMagic
import Scanning
import Testing

/// Which mismatches are disguises and which are harmless mislabels, on types detected by real
/// libmagic from real bytes.
@Suite struct TypeRulesHarmTests {
    let detector: TypeDetector
    let rules = TypeRules()

    init() throws { detector = try TypeDetector() }

    /// `detected` and the traits `examine` reads from the same bytes.
    func look(_ bytes: [UInt8]) throws -> (DetectedType, ContentTraits) {
        let detected = try detector.detect(bytes)
        return (detected, ContentTraits.examine(bytes[...], detected: detected))
    }

    static let docm = FileMagicSamples.zip([
        ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#),
        ("_rels/.rels", #"<?xml version="1.0"?><Relationships/>"#),
        ("word/document.xml", #"<?xml version="1.0"?><w:document/>"#),
        ("word/vbaProject.bin", "VBA"),
    ])

    /// An OLE2 header followed by a directory entry named `_VBA_PROJECT` (UTF-16LE).
    static let oleWithMacros = FileMagicSamples.ole + Array("_VBA_PROJECT".utf16.flatMap { [UInt8($0), 0] })

    static let scriptPage = Array("<!DOCTYPE html>\n<html><body><p>Invoice</p><script>location='x'</script></body></html>\n".utf8)
    static let plainPage = Array("<!DOCTYPE html>\n<html><body><p>Invoice</p><p>online = soon</p></body></html>\n".utf8)
    static let svgWithHandler = Array(
        #"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="fetch('x')"><rect width="1" height="1"/></svg>"#.utf8)

    @Test func aHarmlessMislabelKeepsItsRuleNameAndIsMarkedHarmless() throws {
        let png = try detector.detect(FileMagicSamples.png)
        let renamed = try #require(rules.extensionMismatch(fileName: "photo.jpg", detected: png))
        #expect(renamed.name == "type-mismatch:jpeg-is-png")
        #expect(renamed.isHarmless)
        let csv = try #require(rules.contentTypeMismatch(declared: "application/vnd.ms-excel", detected: try detector.detect(FileMagicSamples.plainText)))
        #expect(csv.name == "content-type-mismatch:excel-ole-is-text")
        #expect(csv.isHarmless)
        let docx = try #require(rules.contentTypeMismatch(declared: "application/msword", detected: try detector.detect(FileMagicSamples.docx)))
        #expect(docx.isHarmless)
        #expect(docx.description.hasSuffix(", harmless)"))
    }

    @Test(arguments: [
        ("pe", FileMagicSamples.pe), ("elf", FileMagicSamples.elf), ("lnk", FileMagicSamples.lnk),
        ("shell script", FileMagicSamples.shellScript), ("iso", FileMagicSamples.iso),
    ])
    func contentThatRunsIsNeverAHarmlessMismatch(_ label: String, _ bytes: [UInt8]) throws {
        let detected = try detector.detect(bytes)
        let hit = try #require(rules.extensionMismatch(fileName: "invoice.pdf", detected: detected), "\(label)")
        #expect(!hit.isHarmless, "\(label)")
    }

    @Test func aCategoryAnAdministratorAllowsStillMakesItsDisguiseABan() throws {
        // Shell scripts allowed by content, but not under a text name.
        let permissive = TypeRules(bannedCategories: [.peExecutable])
        let script = try detector.detect(FileMagicSamples.shellScript)
        #expect(permissive.bannedType(script) == nil)
        let hit = try #require(permissive.contentTypeMismatch(declared: "text/plain", detected: script))
        #expect(hit.name == "content-type-mismatch:text-is-script")
        #expect(!hit.isHarmless)
    }

    @Test func macrosMakeAWord2007DocumentMacroEnabled() throws {
        let (detected, traits) = try look(Self.docm)
        #expect(traits.macros)
        let hit = try #require(rules.extensionMismatch(fileName: "invoice.docx", detected: detected, traits: traits))
        #expect(hit.name == "type-mismatch:word-ooxml-is-word-macro")
        #expect(!hit.isHarmless)
        #expect(rules.extensionMismatch(fileName: "invoice.docm", detected: detected, traits: traits) == nil)
        #expect(rules.contentTypeMismatch(declared: "application/vnd.ms-word.document.macroEnabled.12", detected: detected, traits: traits) == nil)
        // A macro-enabled name on a document without macros is fine.
        let (plain, none) = try look(FileMagicSamples.docx)
        #expect(!none.macros)
        #expect(rules.extensionMismatch(fileName: "invoice.docm", detected: plain, traits: none) == nil)
    }

    @Test func aLegacyDocumentUnderAModernNameIsHarmlessUnlessItHoldsMacros() throws {
        let (plain, none) = try look(FileMagicSamples.ole)
        #expect(!none.macros)
        #expect(rules.extensionMismatch(fileName: "minutes.docx", detected: plain, traits: none)?.isHarmless == true)
        let (macro, traits) = try look(Self.oleWithMacros)
        #expect(traits.macros)
        #expect(rules.extensionMismatch(fileName: "minutes.docx", detected: macro, traits: traits)?.isHarmless == false)
        // Legacy names may hold macros: no disagreement there.
        #expect(rules.extensionMismatch(fileName: "minutes.doc", detected: macro, traits: traits) == nil)
    }

    @Test func scriptTurnsMarkupUnderATextOrImageNameIntoADisguise() throws {
        let (page, script) = try look(Self.scriptPage)
        #expect(script.script)
        let hit = try #require(rules.extensionMismatch(fileName: "invoice.txt", detected: page, traits: script))
        #expect(hit.name == "type-mismatch:text-is-html-script")
        #expect(!hit.isHarmless)
        #expect(rules.extensionMismatch(fileName: "invoice.html", detected: page, traits: script) == nil)
        // Where script cannot run (an inline part shown as text) it is not looked for.
        #expect(!ContentTraits.needsContent(page, scriptCanRun: false))
        #expect(ContentTraits.examine(Self.scriptPage[...], detected: page, scriptCanRun: false) == .none)
        let (svg, handler) = try look(Self.svgWithHandler)
        #expect(handler.script)
        #expect(rules.contentTypeMismatch(declared: "image/png", detected: svg, traits: handler)?.name == "content-type-mismatch:png-is-svg-script")
        // Without script, markup under a text name is text.
        let (plain, none) = try look(Self.plainPage)
        #expect(!none.script)
        #expect(rules.extensionMismatch(fileName: "invoice.txt", detected: plain, traits: none) == nil)
    }

    @Test func anArchiveUnderAnotherNameIsHarmlessOnlyWhenItsMembersAre() throws {
        let zip = try detector.detect(FileMagicSamples.plainZip)
        #expect(rules.extensionMismatch(fileName: "photo.jpg", detected: zip)?.isHarmless == true)
        let risky = ContentTraits(riskyArchive: true)
        #expect(rules.extensionMismatch(fileName: "photo.jpg", detected: zip, traits: risky)?.isHarmless == false)
    }

    @Test func onlyOfficeDocumentsAndMarkupNeedTheirWholeContentRead() throws {
        #expect(ContentTraits.needsContent(try detector.detect(FileMagicSamples.docx)))
        #expect(ContentTraits.needsContent(try detector.detect(FileMagicSamples.ole)))
        #expect(ContentTraits.needsContent(try detector.detect(Self.scriptPage)))
        #expect(!ContentTraits.needsContent(try detector.detect(FileMagicSamples.png)))
        #expect(!ContentTraits.needsContent(try detector.detect(FileMagicSamples.pdf)))
        // Macro names in something that is not an Office document mean nothing.
        let text = Array("the vbaProject.bin file and _VBA_PROJECT".utf8)
        #expect(ContentTraits.examine(text[...], detected: try detector.detect(text)) == .none)
    }
}
