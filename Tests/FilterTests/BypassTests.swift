import ScanmilterConfiguration
@testable import Filter
import MilterProtocol
import Testing

@Suite struct BypassTests {
    func rules(_ edit: (inout PolicySettings) -> Void) -> BypassRules {
        var settings = PolicySettings()
        edit(&settings)
        return BypassRules(settings)
    }

    @Test func trustedClientsAreBypassedAtConnect() throws {
        let bypass = rules { $0.trustedNetworks = [IPNetwork("10.0.0.0/8"), IPNetwork("::1")].compactMap { $0 } }
        #expect(bypass.atConnect(clientAddress: "10.1.2.3") == .trustedNetwork)
        #expect(bypass.atConnect(clientAddress: "::1") == .trustedNetwork)
        #expect(bypass.atConnect(clientAddress: "192.0.2.1") == nil)
        #expect(bypass.atConnect(clientAddress: nil) == nil)
    }

    @Test func authenticatedSendersAreBypassedOnlyWhenConfigured() {
        #expect(rules { _ in }.atSender("<a@example.org>", authenticatedUser: "alice") == nil)
        #expect(rules { $0.skipAuthenticated = true }.atSender("<a@example.org>", authenticatedUser: "alice") == .authenticated)
        #expect(rules { $0.skipAuthenticated = true }.atSender("<a@example.org>", authenticatedUser: "") == nil)
    }

    @Test func allowlistsMatchAddressesAndDomainsCaseInsensitively() {
        let bypass = rules {
            $0.senderAllowlist = ["Boss@Example.org", "@partner.example"]
            $0.recipientAllowlist = ["@abuse.example.org"]
        }
        #expect(bypass.atSender("<boss@example.ORG>", authenticatedUser: nil) == .senderAllowlist)
        #expect(bypass.atSender("<x@PARTNER.example>", authenticatedUser: nil) == .senderAllowlist)
        #expect(bypass.atSender("<x@sub.partner.example>", authenticatedUser: nil) == nil)
        #expect(bypass.atSender("<>", authenticatedUser: nil) == nil)
        #expect(bypass.atRecipients(["<a@abuse.example.org>", "<b@abuse.example.org>"]) == .recipientAllowlist)
        // One recipient outside the list means the message is scanned for everyone.
        #expect(bypass.atRecipients(["<a@abuse.example.org>", "<c@example.org>"]) == nil)
    }
}
