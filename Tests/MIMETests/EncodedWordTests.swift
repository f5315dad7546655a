import MIME
import Testing

/// RFC 2047 encoded words in headers and file names, in the charsets mail really uses.
@Suite struct EncodedWordTests {
    static func subject(_ value: String) -> String? {
        parse("Subject: \(value)\n\n").root.decodedHeader("subject")
    }

    @Test(arguments: [
        ("=?UTF-8?B?5pel5pys6Kqe44OG44Kt44K544OI?=", "日本語テキスト"),
        ("=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
        ("=?ISO-8859-1?Q?caf=E9?=", "café"),
        ("=?iso-8859-2?q?=A3=F3d=BC?=", "Łódź"),
        ("=?windows-1252?B?gHVybw==?=", "€uro"),
        ("=?windows-1251?q?=CF=F0=E8=E2=E5=F2?=", "Привет"),
        ("=?koi8-r?q?=F0=D2=C9=D7=C5=D4?=", "Привет"),
        ("=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=", "日本語"),
        ("=?utf-8*en?q?hi?=", "hi"),
    ])
    func wordsInCommonCharsetsDecode(encoded: String, expected: String) {
        #expect(Self.subject(encoded) == expected)
    }

    @Test func whiteSpaceBetweenAdjacentWordsIsDropped() {
        #expect(Self.subject("=?utf-8?q?a?= =?utf-8?q?b?=\n\t=?utf-8?q?c?=") == "abc")
        #expect(Self.subject("=?utf-8?q?a?= plain =?utf-8?q?b?=") == "a plain b")
    }

    @Test func aCharacterSplitAcrossTwoWordsIsJoinedBeforeConversion() {
        #expect(Self.subject("=?utf-8?B?5pel5g==?= =?utf-8?B?nKw=?=") == "日本")
    }

    @Test func anUnknownCharsetIsADefectAndTheTextIsStillShown() {
        let parsed = parse("Content-Type: text/plain; name=\"=?x-nonsense?q?abc?=.txt\"\n\n")
        #expect(parsed.root.filename == "abc.txt")
        #expect(defectNames(parsed).contains("UnknownCharset"))
    }

    @Test func brokenWordsStayAsText() {
        #expect(Self.subject("=?utf-8?x?abc?= and =?utf-8?q?unterminated") == "=?utf-8?x?abc?= and =?utf-8?q?unterminated")
    }

    @Test func encodedWordsInAQuotedFileNameAreDecoded() {
        let parsed = parse("Content-Disposition: attachment; filename=\"=?UTF-8?B?5pel5pys?=.pdf\"\n\n")
        #expect(parsed.root.filename == "日本.pdf")
    }

    @Test(arguments: [
        "=?utf-8?B?!!cmVwb3J0?=.pdf",     // base64 outside its alphabet
        "=?utf-8?Q?report=ZZ?=.pdf",      // a Q escape that is no hex
        "=?utf-8?Q?two words?=.pdf",      // a blank inside a Q word
        "report=?utf-8?Q?unterminated.pdf", // no closing ?=
    ])
    func anInvalidEncodedWordInAFileNameIsADefectAndItsRawNameAReading(name: String) {
        let parsed = parse("Content-Type: application/pdf; name=\"\(name)\"\n\nbody\n")
        #expect(defectNames(parsed).contains("InvalidEncodedWord"))
        // A client that will not decode the broken word shows the name as sent: that name is
        // type-checked too.
        let names = [parsed.root.filename] + parsed.alternativeLeaves.map(\.filename)
        #expect(names.contains(name))
    }

    @Test func aValidEncodedWordHasNoRawReading() {
        let parsed = parse("Content-Type: application/pdf; name=\"=?utf-8?Q?report?=.pdf\"\n\nbody\n")
        #expect(parsed.root.filename == "report.pdf")
        #expect(parsed.alternativeLeaves.isEmpty && parsed.defects.isEmpty)
    }
}
