import Testing
@testable import Quarantine

@Suite("SMTP encoding")
struct SMTPEncodingTests {
    @Test(arguments: [
        ("a\nb", "a\r\nb\r\n.\r\n"),
        ("a\r\nb\r\n", "a\r\nb\r\n.\r\n"),
        ("a\rb", "a\r\nb\r\n.\r\n"),
        (".\n..x\n", "..\r\n...x\r\n.\r\n"),
        ("", ".\r\n"),
        ("x.\n.", "x.\r\n..\r\n.\r\n"),
    ])
    func dataBlockNormalisesLineEndsAndStuffsDots(input: String, wire: String) {
        #expect(String(decoding: SMTPClient.dataBlock(Array(input.utf8)), as: UTF8.self) == wire)
    }

    @Test func mailParametersKeepOnlyWhatTheRelayOffers() {
        let original = ["SIZE=5", "BODY=8BITMIME", "SMTPUTF8", "AUTH=<a@b>", "RET=FULL", "XFOO=1"]
        #expect(SMTPClient.mailParameters(original, size: 77, extensions: ["SIZE", "8BITMIME", "SMTPUTF8", "DSN"])
            == ["SIZE=77", "BODY=8BITMIME", "SMTPUTF8", "RET=FULL"])
        #expect(SMTPClient.mailParameters(original, size: 77, extensions: []).isEmpty)
        #expect(SMTPClient.mailParameters(["BODY=BINARYMIME"], size: 1, extensions: ["8BITMIME"]).isEmpty)
    }

    @Test(arguments: [
        ("127.0.0.1:10026", "127.0.0.1", 10026),
        ("[::1]:25", "::1", 25),
        ("relay.example.org:587", "relay.example.org", 587),
    ])
    func relayAddressesParse(text: String, host: String, port: Int) throws {
        let address = try #require(RelayAddress(text))
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test(arguments: ["127.0.0.1", "host:0", "host:70000", ":25", "::1:25", "[::1]25"])
    func badRelayAddressesAreRefused(text: String) {
        #expect(RelayAddress(text) == nil)
    }

    @Test func recipientsGivenWithToMustBeAddresses() {
        #expect(QuarantineStore.isPlausibleAddress("a@example.org"))
        #expect(!QuarantineStore.isPlausibleAddress("a@b> NOTIFY=NEVER"))
        #expect(!QuarantineStore.isPlausibleAddress("a@b\r\nRCPT TO:<c@d>"))
        #expect(!QuarantineStore.isPlausibleAddress("nobody"))
    }
}
