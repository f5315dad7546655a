import FileMagic
import Synchronization
import Foundation
import Testing

/// libmagic through FileMagic, on real bytes with the system magic database.
@Suite struct FileMagicTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let mimeType: String
        let descriptionPrefix: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "PE", bytes: FileMagicSamples.pe, mimeType: "application/vnd.microsoft.portable-executable", descriptionPrefix: "PE32 executable"),
        Case(name: "ELF", bytes: FileMagicSamples.elf, mimeType: "application/x-executable", descriptionPrefix: "ELF 64-bit LSB executable"),
        Case(name: "zip", bytes: FileMagicSamples.plainZip, mimeType: "application/zip", descriptionPrefix: "Zip archive data"),
        Case(name: "docx", bytes: FileMagicSamples.docx, mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", descriptionPrefix: "Microsoft Word 2007+"),
        Case(name: "PDF", bytes: FileMagicSamples.pdf, mimeType: "application/pdf", descriptionPrefix: "PDF document, version 1.4"),
        Case(name: "PNG", bytes: FileMagicSamples.png, mimeType: "image/png", descriptionPrefix: "PNG image data, 1 x 1"),
        Case(name: "shell script", bytes: FileMagicSamples.shellScript, mimeType: "text/x-shellscript", descriptionPrefix: "POSIX shell script"),
        Case(name: "batch file", bytes: FileMagicSamples.batchFile, mimeType: "text/x-msdos-batch", descriptionPrefix: "DOS batch file"),
        Case(name: "LNK", bytes: FileMagicSamples.lnk, mimeType: "application/x-ms-shortcut", descriptionPrefix: "MS Windows shortcut"),
        Case(name: "ISO 9660", bytes: FileMagicSamples.iso, mimeType: "application/x-iso9660-image", descriptionPrefix: "ISO 9660 CD-ROM filesystem data"),
        Case(name: "VHD", bytes: FileMagicSamples.vhd, mimeType: "application/x-virtualbox-vhd", descriptionPrefix: "Microsoft Disk Image"),
    ]

    @Test(arguments: cases)
    func detectsTheRealTypeOfEachSample(_ sample: Case) throws {
        let detector = try TypeDetector(configuration: .init(description: .always))
        let detected = try detector.detect(sample.bytes)
        // libmagic appends words to some MIME types ("application/x-executable, no program header").
        #expect(detected.mimeType.hasPrefix(sample.mimeType))
        #expect(detected.description.hasPrefix(sample.descriptionPrefix), "\(detected.description)")
    }

    @Test func reportsTheTextEncodingSeparately() throws {
        let detected = try TypeDetector().detect(Array("Grüße aus Köln\n".utf8))
        #expect(detected.mimeType == "text/plain")
        #expect(detected.encoding == "utf-8")
        #expect(try TypeDetector().detect(FileMagicSamples.png).encoding == "binary")
    }

    @Test func emptyContentIsEmptyNotAnError() throws {
        let detected = try TypeDetector().detect([UInt8]())
        #expect(detected.mimeType.hasSuffix("x-empty"))
    }

    @Test func aShortPrefixCannotSeeFormatsDetectedFurtherIn() throws {
        // The ISO volume descriptor is at 32 KiB and the third zip entry names the docx: both
        // need more than a token prefix, which is why the default prefix is 256 KiB.
        let short = try TypeDetector(configuration: .init(prefixLength: 200))
        #expect(try short.detect(FileMagicSamples.docx).mimeType == "application/zip")
        #expect(try short.detect(FileMagicSamples.iso).mimeType != "application/x-iso9660-image")
        let standard = try TypeDetector()
        #expect(try standard.detect(FileMagicSamples.iso).mimeType == "application/x-iso9660-image")
        // libmagic follows the zip headers to the entry that names the Office application; a
        // large first entry puts it beyond a 64 KiB prefix but within the default 256 KiB.
        let bigFirstEntry = FileMagicSamples.zip([
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types/>"# + String(repeating: " ", count: 100_000)),
            ("_rels/.rels", #"<?xml version="1.0"?><Relationships/>"#),
            ("word/document.xml", #"<?xml version="1.0"?><w:document/>"#),
        ])
        let word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        #expect(try standard.detect(bigFirstEntry).mimeType == word)
        #expect(try TypeDetector(configuration: .init(prefixLength: 64 * 1024)).detect(bigFirstEntry).mimeType == "application/zip")
    }

    @Test func withoutDescriptionOnlyTheMIMETypeIsFilled() throws {
        let detector = try TypeDetector(configuration: .init(description: .never))
        let detected = try detector.detect(FileMagicSamples.pdf)
        #expect(detected.mimeType == "application/pdf")
        #expect(detected.description.isEmpty)
    }

    @Test func byDefaultOnlyNonTextGetsADescription() throws {
        let detector = try TypeDetector()
        let script = try detector.detect(FileMagicSamples.batchFile)
        #expect(script.mimeType == "text/x-msdos-batch")
        #expect(script.description.isEmpty)
        #expect(try detector.detect(FileMagicSamples.pe).description.hasPrefix("PE32 executable"))
    }

    @Test func aMissingMagicDatabaseIsAClearError() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).mgc").path
        do {
            _ = try TypeDetector(configuration: .init(databasePath: missing))
            Issue.record("loading a missing database succeeded")
        } catch let error as MagicError {
            #expect(error.code == .databaseLoad)
            #expect(error.function == "magic_load")
            #expect(error.message.contains(missing))
        }
    }

    @Test func aCorruptMagicDatabaseIsAClearError() throws {
        let dir = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corrupt = dir.appendingPathComponent("corrupt.mgc")
        try Data(repeating: 0xAB, count: 4096).write(to: corrupt)
        #expect(throws: MagicError.self) { try TypeDetector(configuration: .init(databasePath: corrupt.path)) }
    }

    @Test func manyThreadsDetectCorrectlyThroughOnePool() throws {
        let detector = try TypeDetector()
        let samples: [([UInt8], String)] = [
            (FileMagicSamples.pe, "application/vnd.microsoft.portable-executable"),
            (FileMagicSamples.pdf, "application/pdf"), (FileMagicSamples.png, "image/png"),
            (FileMagicSamples.plainZip, "application/zip"),
        ]
        let wrong = Mutex<[String]>([])
        TestThreads.run(8) { thread in
            for round in 0..<50 {
                let (bytes, expected) = samples[(thread + round) % samples.count]
                let got = (try? detector.detect(bytes).mimeType) ?? "error"
                if got != expected { wrong.withLock { $0.append("\(expected) → \(got)") } }
            }
        }
        #expect(wrong.withLock { $0 } == [])
        // The pool grew to the concurrency it saw, never past it.
        #expect(detector.idleHandleCount >= 1 && detector.idleHandleCount <= 8)
    }
}
