import MilterProtocol
import Testing

@Suite("Mail address parsing (pymilter's parse_addr)")
struct MailAddressTests {
    @Test(arguments: [
        ("user@example.com", "user", "example.com"),
        ("<user@example.com>", "user", "example.com"),
        ("  <User.Name+tag@Example.COM>  ", "User.Name+tag", "Example.COM"),
        ("\"john doe\"@example.com", "john doe", "example.com"),
        ("<\"a@b\\\"c\"@example.com>", "a@b\"c", "example.com"),
        ("user@[192.0.2.1]", "user", "[192.0.2.1]"),
        ("Jane Doe <jane@example.com>", "jane", "example.com"),
        ("\"Doe, Jane\" <jane@example.com>", "jane", "example.com"),
        ("jürgen@bücher.example", "jürgen", "bücher.example"),
    ])
    func anAddressSplitsIntoLocalPartAndDomain(text: String, local: String, domain: String) throws {
        let address = try MailAddress(parsing: text)
        #expect(address.localPart == local)
        #expect(address.domain == domain)
        #expect(!address.isNull)
    }

    @Test func theNullPathIsNullAndPrintsAsBrackets() throws {
        let null = try MailAddress(parsing: "<>")
        #expect(null.isNull && null.localPart.isEmpty && null.domain == nil)
        #expect(null.description == "<>")
    }

    @Test func aSourceRouteIsKeptApartFromTheMailbox() throws {
        let address = try MailAddress(parsing: "<@relay.example,@b.example:user@example.com>")
        #expect(address.sourceRoute == ["relay.example", "b.example"])
        #expect(address.localPart == "user" && address.domain == "example.com")
    }

    @Test func aBareLocalPartHasNoDomain() throws {
        let address = try MailAddress(parsing: "postmaster")
        #expect(address.localPart == "postmaster" && address.domain == nil && !address.isNull)
    }

    @Test func displayNameIsKeptWithoutQuotes() throws {
        #expect(try MailAddress(parsing: "\"Doe, Jane\" <jane@example.com>").displayName == "Doe, Jane")
    }

    @Test(arguments: ["john doe@example.com", "<user@example.com", "user@example.com>", "\"open@example.com",
                      "user@", "@example.com", "<@relay.example>", "\"x\"y@example.com", "a@b@c"])
    func malformedAddressesAreRefused(text: String) {
        #expect(throws: MailAddressError.self) { try MailAddress(parsing: text) }
    }

    @Test(arguments: ["user@example.com", "\"john doe\"@example.com", "\"a\\\"b\"@example.com", "<>"])
    func descriptionQuotesTheLocalPartOnlyWhenNeededAndParsesBack(text: String) throws {
        let address = try MailAddress(parsing: text)
        #expect(address.description == text)
        #expect(try MailAddress(parsing: address.description) == address)
    }
}

@Suite("IP lists (pymilter's iniplist)")
struct IPListTests {
    @Test func addressesAreMatchedAgainstIPv4AndIPv6Networks() throws {
        let list = try IPList(parsing: ["127.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1"])
        #expect(list.contains("127.1.2.3"))
        #expect(list.contains("192.0.2.7") && !list.contains("192.0.2.8"))
        #expect(list.contains("2001:db8:ffff::1") && !list.contains("2001:db9::1"))
        #expect(list.contains("[::1]"))
        #expect(list.contains("::ffff:127.0.0.1"), "an IPv4-mapped IPv6 address counts as IPv4")
        #expect(!list.contains("not an address"))
    }

    @Test func aZoneIsIgnoredAndPeersAreMatchedByAddress() throws {
        let list = try IPList(parsing: ["fe80::/10", "10.0.0.0/8"])
        #expect(list.contains("fe80::1%eth0"))
        #expect(list.contains(PeerAddress.inet6(address: "fe80::1%lo", port: 25)))
        #expect(list.contains(PeerAddress.inet(address: "10.1.1.1", port: 25)))
        #expect(!list.contains(PeerAddress.unix(path: "/run/smtp.sock")))
    }

    @Test(arguments: ["10.0.0.0/33", "example.com", "::1/129", ""])
    func malformedEntriesAreRefusedByName(entry: String) {
        #expect(throws: IPListError(entry: entry)) { try IPList(parsing: ["10.0.0.0/8", entry]) }
    }
}

@Suite("Envelope bytes in Strings")
struct EnvelopeTextTests {
    @Test(arguments: [
        Array("<user@example.com>".utf8),
        Array("<jörg@bücher.example>".utf8),
        Array("<j".utf8) + [0xF6] + Array("rg@example.com>".utf8),
        [0xFF, 0xFE, 0x80, 0xC3] + Array("x".utf8) + [0xE2, 0x82],
        Array("\u{10FF85}".utf8),
    ])
    func bytesRoundTripThroughAString(bytes: [UInt8]) {
        #expect(EnvelopeText.bytes(EnvelopeText.string(bytes)) == bytes || bytes == Array("\u{10FF85}".utf8))
    }

    @Test func validUTF8IsUnchangedAndOtherBytesAreEscaped() {
        #expect(EnvelopeText.string(Array("<jörg@example.com>".utf8)) == "<jörg@example.com>")
        let escaped = EnvelopeText.string(Array("j".utf8) + [0xF6])
        #expect(escaped.unicodeScalars.map(\.value) == [0x6A, 0x10FFF6])
    }
}
