import ClamAV
import Foundation
import Logging
import MIME
@testable import Scanning
import Testing

/// Messages carrying EICAR in the ways mail carries attachments, scanned whole and per part.
@Suite struct MessageScannerTests {
    static let ndbName = TestDatabase.eicarBodySignature + ".UNOFFICIAL"
    static let hdbName = TestDatabase.eicarHashSignature + ".UNOFFICIAL"

    /// A backend on a fresh generated database, removed with `temp`.
    func withBackend(_ body: (ClamAVBackend, URL) throws -> Void) throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let db = try TestDatabase.make(in: temp)
        try body(try ClamAVBackend(settings: .init(databaseDirectory: db.path), logger: Logger(label: "test.message")), temp)
    }

    func parse(_ text: String) -> ParsedMessage {
        MIMEParser().parse(MessageBytes(Array(text.utf8)))
    }

    @Test(arguments: MessageScanner.Strategy.allCases)
    func base64EicarIsAttributedToItsAttachment(strategy: MessageScanner.Strategy) throws {
        try withBackend { backend, _ in
            let message = parse(MessageSamples.multipart(attachment: TestDatabase.eicar, filename: "eicar.com"))
            let report = MessageScanner(backend: backend, strategy: strategy).scan(message)
            guard case .infected(let names) = report.verdict else {
                Issue.record("EICAR in base64 not found: \(report.verdict)")
                return
            }
            #expect(names.contains(Self.ndbName) && names.contains(Self.hdbName))
            #expect(report.infectedParts.map(\.path) == ["2"])
            #expect(report.infectedParts.first?.filename == "eicar.com")
            #expect(report.parts.first { $0.path == "1" }?.verdict == .clean)
        }
    }

    @Test(arguments: MessageScanner.Strategy.allCases)
    func eicarInsideAForwardedMessageIsFoundAndAttributed(strategy: MessageScanner.Strategy) throws {
        try withBackend { backend, _ in
            let inner = MessageSamples.multipart(attachment: TestDatabase.eicar, filename: "eicar.com")
            let message = parse(MessageSamples.forwarding(inner))
            let report = MessageScanner(backend: backend, strategy: strategy).scan(message)
            #expect(report.viruses.contains(Self.ndbName))
            #expect(report.infectedParts.map(\.filename) == ["eicar.com"])
            #expect(report.infectedParts.first?.path.hasPrefix("2.") == true)
        }
    }

    @Test(arguments: MessageScanner.Strategy.allCases)
    func zippedEicarAttachmentIsAttributed(strategy: MessageScanner.Strategy) throws {
        try withBackend { backend, temp in
            let zip = try Samples.zip(TestDatabase.eicar, in: temp)
            let message = parse(MessageSamples.multipart(attachment: zip, filename: "report.zip", type: "application/zip"))
            let report = MessageScanner(backend: backend, strategy: strategy).scan(message)
            #expect(report.viruses.contains(Self.ndbName))
            #expect(report.infectedParts.map(\.filename) == ["report.zip"])
        }
    }

    @Test(arguments: MessageScanner.Strategy.allCases)
    func plainTextEicarInTheBodyIsFound(strategy: MessageScanner.Strategy) throws {
        try withBackend { backend, _ in
            let text = "From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\n\r\n"
                + String(decoding: TestDatabase.eicar, as: UTF8.self) + "\r\n"
            let report = MessageScanner(backend: backend, strategy: strategy).scan(parse(text))
            #expect(report.viruses.contains(Self.ndbName))
        }
    }

    @Test func skeletonScansPartsSentAsTheyAreOnlyToNameAFinding() throws {
        try withBackend { backend, _ in
            let scanner = MessageScanner(backend: backend, strategy: .everyPartSkeleton)
            // The text part ("1", 7bit) is not scanned alone; the base64 attachment ("2") is.
            let clean = scanner.scan(parse(MessageSamples.multipart(attachment: Array("just a note\n".utf8), filename: "note.txt")))
            #expect(clean.verdict == .clean)
            #expect(clean.scanCount == 2)
            #expect(clean.parts.map(\.path) == ["1", "2"])
            #expect(clean.parts.map(\.scanned) == [false, true])
            // EICAR in a 7bit part: the skeleton scan finds it and the part is then named.
            let text = "From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + String(decoding: TestDatabase.eicar, as: UTF8.self) + "\r\n"
            let infected = scanner.scan(parse(text))
            #expect(infected.wholeMessage != .clean)
            #expect(infected.infectedParts.map(\.path) == ["1"])
        }
    }

    @Test func cleanMailCostsOneScanWhenAttributingOnlyFindings() throws {
        try withBackend { backend, _ in
            let message = parse(MessageSamples.multipart(attachment: Array("just a note\n".utf8), filename: "note.txt"))
            let report = MessageScanner(backend: backend, strategy: .attributeOnFinding).scan(message)
            #expect(report.verdict == .clean)
            #expect(report.scanCount == 1)
            #expect(report.parts.count == 2)
            #expect(report.parts.allSatisfy { !$0.scanned })
        }
    }

    @Test(arguments: [MessageScanner.Strategy.everyPart, .everyPartRaw])
    func everyPartStrategiesScanTheWholeMessageAndEachLeaf(strategy: MessageScanner.Strategy) throws {
        try withBackend { backend, _ in
            let message = parse(MessageSamples.multipart(attachment: Array("just a note\n".utf8), filename: "note.txt"))
            let report = MessageScanner(backend: backend, strategy: strategy).scan(message)
            #expect(report.verdict == .clean)
            #expect(report.scanCount == 3)
            #expect(report.parts.allSatisfy { $0.scanned })
        }
    }

    @Test(arguments: MessageScanner.Strategy.allCases)
    func eicarSeenOnlyUnderAnAlternativeReadingIsFound(strategy: MessageScanner.Strategy) throws {
        try withBackend { backend, _ in
            let message = parse(MessageSamples.ambiguousBoundary(hiding: TestDatabase.eicar))
            #expect(!message.alternativeLeaves.isEmpty, "the parser must see the second boundary reading")
            let report = MessageScanner(backend: backend, strategy: strategy).scan(message)
            #expect(report.viruses.contains(Self.ndbName))
            #expect(report.infectedParts.contains { $0.reading != nil })
        }
    }

    /// EICAR with filler behind it: an attachment large enough for the skeleton to leave out.
    static let largeEicar = TestDatabase.eicar + Array(repeating: UInt8(ascii: "x"), count: 4096)

    @Test func skeletonLeavesOutAPureBase64AttachmentAndStillFindsEicarInIt() throws {
        try withBackend { backend, _ in
            let message = parse(MessageSamples.multipart(attachment: Self.largeEicar, filename: "big.bin"))
            let report = MessageScanner(backend: backend, strategy: .everyPartSkeleton).scan(message)
            // The whole-message scan no longer saw the attachment: only its decoded scan found it.
            #expect(report.wholeMessage == .clean)
            #expect(report.infectedParts.map(\.path) == ["2"])
            #expect(report.verdict != .clean)
            let full = MessageScanner(backend: backend, strategy: .everyPart).scan(message)
            #expect(full.wholeMessage != .clean, "with the body kept, libclamav's mail parser finds it too")
        }
    }

    @Test(arguments: [
        ("a line that is not base64", "-----\r\n"),
        ("data after padding", "QQ==\r\nQUFB\r\n"),
    ])
    func skeletonKeepsABodyThatIsNotPureBase64(label: String, insert: String) throws {
        try withBackend { backend, _ in
            var text = MessageSamples.multipart(attachment: Self.largeEicar, filename: "big.bin")
            // Insert after the second base64 line of the attachment, past the EICAR string.
            guard let start = text.range(of: "Content-Transfer-Encoding: base64\r\n\r\n"),
                  let first = text.range(of: "\r\n", range: start.upperBound..<text.endIndex),
                  let second = text.range(of: "\r\n", range: first.upperBound..<text.endIndex)
            else { Issue.record("sample changed"); return }
            text.insert(contentsOf: insert, at: second.upperBound)
            let message = parse(text)
            let leaf = try #require(message.leaves.first { $0.path == "2" })
            #expect(!leaf.decode().defects.isEmpty, "\(label): the decoder must flag it")
            #expect(!MessageScanner.mayElide(leaf, leaf.decode()), "\(label): the body must stay in the skeleton")
            // Whatever libclamav's own decoder makes of it, the decoded part still carries EICAR.
            let report = MessageScanner(backend: backend, strategy: .everyPartSkeleton).scan(message)
            #expect(report.infectedParts.map(\.path) == ["2"])
        }
    }

    @Test func skeletonKeepsTextPartsAndSmallAttachments() throws {
        try withBackend { backend, _ in
            // EICAR in a base64 text part, and in an attachment below the size worth leaving out.
            for text in [
                MessageSamples.multipart(attachment: Self.largeEicar, filename: "notes.txt", type: "text/plain"),
                MessageSamples.multipart(attachment: TestDatabase.eicar, filename: "eicar.com"),
            ] {
                let report = MessageScanner(backend: backend, strategy: .everyPartSkeleton).scan(parse(text))
                #expect(report.wholeMessage != .clean)
                #expect(report.infectedParts.map(\.path) == ["2"])
            }
        }
    }

    @Test func libclamavsOwnMailParserFindsEicarInBase64AndInAForwardedMessage() throws {
        try withBackend { backend, _ in
            let attached = MessageSamples.multipart(attachment: TestDatabase.eicar, filename: "eicar.com")
            for text in [attached, MessageSamples.forwarding(attached)] {
                guard case .infected(let names) = backend.scan(Array(text.utf8)[...]) else {
                    Issue.record("libclamav's mail parser missed EICAR")
                    continue
                }
                #expect(names.contains(Self.ndbName))
                // Without mail decoding the base64 stays opaque: the part scans are needed.
                #expect(backend.scanRawMessage(Array(text.utf8)[...]) == .clean)
            }
        }
    }
}

/// Test messages built as text.
enum MessageSamples {
    /// A multipart/mixed message: a text part ("1") and `attachment` in base64 ("2").
    static func multipart(attachment: [UInt8], filename: String, type: String = "application/octet-stream") -> String {
        let encoded = Data(attachment).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return """
            From: Sender <sender@example.org>\r
            To: Recipient <rcpt@example.net>\r
            Subject: the file\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=us-ascii\r
            \r
            Here it is.\r
            --b1\r
            Content-Type: \(type); name="\(filename)"\r
            Content-Disposition: attachment; filename="\(filename)"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encoded)\r
            --b1--\r

            """
    }

    /// A message with two boundary parameters: under the first it is one text part, under the
    /// second it carries `payload` as a base64 attachment (a trick to split scanners' readings).
    static func ambiguousBoundary(hiding payload: [UInt8]) -> String {
        let encoded = Data(payload).base64EncodedString()
        return """
            From: Sender <sender@example.org>\r
            To: Recipient <rcpt@example.net>\r
            Subject: two readings\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="first"; boundary="second"\r
            \r
            --first\r
            Content-Type: text/plain\r
            \r
            Nothing to see.\r
            --second\r
            Content-Type: application/octet-stream; name="hidden.com"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encoded)\r
            --second--\r
            --first--\r

            """
    }

    /// A message forwarding `inner` as a message/rfc822 attachment (part "2").
    static func forwarding(_ inner: String) -> String {
        """
        From: Forwarder <fwd@example.org>\r
        To: Recipient <rcpt@example.net>\r
        Subject: Fwd: the file\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="outer"\r
        \r
        --outer\r
        Content-Type: text/plain\r
        \r
        See below.\r
        --outer\r
        Content-Type: message/rfc822\r
        Content-Disposition: attachment; filename="forwarded.eml"\r
        \r
        \(inner)\r
        --outer--\r

        """
    }
}
