@testable import ScanmilterConfiguration
import Testing

@Suite struct OverrideConfigTests {
    @Test(arguments: [
        ("ceo@example.com", "CEO@Example.COM", true),
        ("ceo@example.com", "<ceo@example.com>", true),
        ("ceo@example.com", "cfo@example.com", false),
        ("@lab.example.org", "alice@LAB.example.org", true),
        ("@lab.example.org", "alice@sub.lab.example.org", false),
        ("@lab.example.org", "alice@notlab.example.org", false),
        ("@.partners.example.net", "bob@partners.example.net", true),
        ("@.partners.example.net", "bob@a.b.partners.example.net", true),
        ("@.partners.example.net", "bob@evilpartners.example.net", false),
        ("@.partners.example.net", "partners.example.net", false),
    ])
    func recipientPatternsMatchAddressesDomainsAndSubdomains(pattern: String, address: String, expected: Bool) throws {
        let parsed = try #require(RecipientPattern(pattern))
        #expect(parsed.matches(RecipientPattern.Address(address)) == expected)
    }

    @Test(arguments: ["", "@", "@.", "user", "user@", "@a..b", "<a@b.c>", "a b@c.d"])
    func malformedRecipientPatternsAreRefused(text: String) {
        #expect(RecipientPattern(text) == nil)
    }

    @Test func overridesStartFromTheFileSectionsAndTheFirstMatchWins() throws {
        let config = try ScanmilterConfig.parse("""
            [actions]
            infected = "quarantine"
            [[override]]
            name = "lab"
            recipients = ["@lab.example.org"]
            [override.actions]
            banned = "tag"
            [override.policy]
            banned_extensions = []
            [[override]]
            recipients = ["@.example.org"]
            [override.reply]
            banned = "550 5.7.1 no %r here"
            """)
        #expect(config.overrides.count == 2)
        let lab = config.overrides[0], second = config.overrides[1]
        #expect(lab.actions.banned == .tag && lab.actions.infected == .quarantine)
        #expect(second.name == "override-2" && second.reply.banned.text == "no %r here" && second.actions.banned == .reject)
        let first = config.overrides.first { $0.match("x@lab.example.org") != nil }
        #expect(first?.name == "lab")
        #expect(config.overrides.first { $0.match("x@mail.example.org") != nil }?.name == "override-2")
        #expect(config.overrides.first { $0.match("x@example.net") != nil } == nil)
    }

    @Test func overrideMistakesNameTheirLines() {
        let text = """
            [[override]]
            name = "lab"
            recipients = ["lab.example.org"]
            [override.actions]
            baned = "tag"
            [override.policy]
            trusted_networks = ["10.0.0.0/8"]
            [override.notify]
            admins = ["nobody"]
            [[override]]
            name = "lab"
            """
        #expect {
            _ = try ScanmilterConfig.parse(text, file: "s.toml")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            let lines = error.allProblems.map(\.description)
            return lines == [
                "s.toml:3: [override] recipients: 'lab.example.org' is not an address, @domain or @.domain (the domain and its subdomains)",
                "s.toml:5: [override] actions.baned: unknown key 'baned'; did you mean 'banned'?",
                "s.toml:7: [override] policy.trusted_networks: cannot differ per recipient (it applies to the whole connection or scan); set it in [policy]",
                "s.toml:9: [override] notify.admins: 'nobody' is not an address such as postmaster@example.org",
                "s.toml:10: [override] recipients: an override needs recipients, e.g. [\"@lab.example.org\", \"ceo@example.com\"]",
                "s.toml:11: [override] name: 'lab' names two overrides; metrics and logs tell them apart by name",
            ]
        }
    }

    @Test func aPlainOverrideTableIsRefused() {
        #expect(throws: ConfigurationError.self) {
            _ = try ScanmilterConfig.parse("[override]\nname = \"x\"\n")
        }
    }

    @Test func notifySettingsAreChecked() throws {
        let config = try ScanmilterConfig.parse("""
            [notify]
            admins = ["postmaster@example.org"]
            verdicts = ["infected"]
            command = ["/usr/local/bin/hook", "--json"]
            """)
        #expect(config.notify.verdicts == [.infected] && config.notify.command.count == 2)
        #expect(throws: ConfigurationError.self) { _ = try ScanmilterConfig.parse("[notify]\ncommand = [\"hook.sh\"]\n") }
        #expect(throws: ConfigurationError.self) { _ = try ScanmilterConfig.parse("[notify]\nverdicts = [\"clean\"]\n") }
        #expect(throws: ConfigurationError.self) { _ = try ScanmilterConfig.parse("[notify]\nrelay = \"nohost\"\n") }
    }

    @Test func templatesFillTheQuarantineIDOnlyWhereThereIsOne() {
        let template = MessageTemplate("%i held as %q: %v%r 100%%")
        #expect(template.render(.init(viruses: ["V"], queueID: "Q1", quarantineID: "abc")) == "Q1 held as abc: V 100%")
        #expect(template.render(.init(rules: ["r"], queueID: "Q1")) == "Q1 held as %q: r 100%")
    }
}
