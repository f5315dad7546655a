import Foundation
import Testing
@testable import WebConsole

@Suite struct SigningTests {
    let signer: Signer
    init() throws {
        signer = try Signer(secret: Array(repeating: 7, count: 32))
    }

    @Test func shortSecretIsRefused() {
        #expect(throws: WebConsoleError.self) { try Signer(secret: Array(repeating: 1, count: 31)) }
    }

    @Test func signatureOfOneDomainIsNotValidInAnother() {
        let signature = signer.sign("abc", domain: "session")
        #expect(signer.verify("abc", domain: "session", signature: signature))
        #expect(!signer.verify("abc", domain: "link", signature: signature))
        #expect(!signer.verify("abd", domain: "session", signature: signature))
        let other = try? Signer(secret: Array(repeating: 8, count: 32))
        #expect(other?.verify("abc", domain: "session", signature: signature) == false)
    }

    @Test func sessionCookieRoundTripsAndRefusesTamperingAndExpiry() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let session = Session(user: "admin.one", expires: 1_000_100)
        let value = session.cookieValue(signer)
        #expect(Session.parse(value, signer: signer, now: now) == session)
        #expect(Session.parse(value, signer: signer, now: Date(timeIntervalSince1970: 1_000_100)) == nil)
        // Another user name with the same signature.
        var fields = value.split(separator: ".").map(String.init)
        fields[0] = Base64URL.encode(Array("root".utf8))
        #expect(Session.parse(fields.joined(separator: "."), signer: signer, now: now) == nil)
        // A later expiry with the same signature.
        fields = value.split(separator: ".").map(String.init)
        fields[1] = "9999999999"
        #expect(Session.parse(fields.joined(separator: "."), signer: signer, now: now) == nil)
        #expect(Session.parse("garbage", signer: signer, now: now) == nil)
    }

    @Test func csrfTokenBelongsToOneSession() {
        let one = Session(user: "a", expires: 2_000_000_000)
        let two = Session(user: "a", expires: 2_000_000_000)
        let token = one.csrfToken(signer)
        #expect(one.acceptsCSRF(token, signer: signer))
        #expect(!two.acceptsCSRF(token, signer: signer))
        #expect(!one.acceptsCSRF("", signer: signer))
    }

    @Test func digestLinkIsRefusedWhenAnyFieldChangesOrItExpired() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let link = DigestLink(entry: "AAAAAAAAAAAAAAAAAAAAAAAAAA", recipient: "bob@example.net", action: .release, expires: 1_000_500)
        let fields = FormFields.parse(link.query(signer))
        #expect((try? DigestLink.parse(fields, signer: signer, now: now).get()) == link)
        for (name, value) in [("e", "BAAAAAAAAAAAAAAAAAAAAAAAAA"), ("r", Base64URL.encode(Array("eve@example.net".utf8))), ("a", "delete"), ("x", "1000900")] {
            var tampered = fields
            tampered[name] = value
            guard case .failure(.badSignature) = DigestLink.parse(tampered, signer: signer, now: now) else {
                Issue.record("changing \(name) was not refused as a bad signature")
                continue
            }
        }
        guard case .failure(.expired) = DigestLink.parse(fields, signer: signer, now: Date(timeIntervalSince1970: 1_000_500)) else {
            Issue.record("an expired link was not refused")
            return
        }
        guard case .failure(.malformed) = DigestLink.parse(["e": "x"], signer: signer, now: now) else {
            Issue.record("a link without fields was not refused")
            return
        }
    }

    @Test func formFieldsDecodePlusAndPercent() {
        let fields = FormFields.parseAll("a=1+2&b=%3Cscript%3E&b=x&c&=skip&d=%ZZ")
        #expect(fields.map(\.0) == ["a", "b", "b", "c", "d"])
        #expect(fields[0].1 == "1 2")
        #expect(fields[1].1 == "<script>")
        #expect(FormFields.decode(FormFields.encode("ä <&> ?")) == "ä <&> ?")
    }
}
