/// One `[[override]]`: a policy for some recipients. Its sections start from the file's own
/// `[actions]`, `[reply]` and `[policy]` and change only the keys the override writes, so an
/// override says what is different and nothing more.
public struct RecipientOverride: Sendable, Equatable {
    /// `name`: for logs and metrics (default `override-N`, N its place in the file from 1).
    public var name: String
    /// `recipients`: who it applies to.
    public var recipients: [RecipientPattern]
    /// The actions, replies and rules for those recipients (the file's, with the override's changes).
    public var actions: ActionSettings
    public var reply: ReplySettings
    public var policy: PolicySettings
    /// `[override.notify] admins`; nil keeps `[notify] admins`.
    public var notifyAdmins: [String]?
    /// The line of its `[[override]]` header.
    public var line: Int
    /// The keys it changes, as `section.key` (`actions.banned`), for `scanmilterctl` and logs.
    public var changedKeys: [String]

    public init(
        name: String, recipients: [RecipientPattern], actions: ActionSettings = ActionSettings(),
        reply: ReplySettings = ReplySettings(), policy: PolicySettings = PolicySettings(), notifyAdmins: [String]? = nil,
        line: Int = 0, changedKeys: [String] = []
    ) {
        self.name = name
        self.recipients = recipients
        self.actions = actions
        self.reply = reply
        self.policy = policy
        self.notifyAdmins = notifyAdmins
        self.line = line
        self.changedKeys = changedKeys
    }

    /// The first of `recipients` that matches `address`, if any.
    public func match(_ address: String) -> RecipientPattern? {
        let parsed = RecipientPattern.Address(address)
        return recipients.first { $0.matches(parsed) }
    }

    /// The `[policy]` keys an override may change: the rules that decide what a recipient
    /// accepts. The others (trusted networks, authenticated senders, password tries) belong to
    /// the connection or the scan, which all recipients share.
    public static let policyKeys: Set<String> = [
        "banned_types", "banned_extensions", "type_mismatch", "check_archives", "ban_encrypted_archives",
        "ban_archive_limits", "sender_allowlist", "recipient_allowlist", "max_signature_age",
    ]
}

/// One entry of an override's `recipients`: `user@example.org` (that address), `@example.org`
/// (that domain) or `@.example.org` (that domain and every subdomain).
///
/// Matching ignores case in the local part as well as the domain: Postfix delivers
/// `CEO@example.com` to the same mailbox as `ceo@example.com`, so a case-sensitive match would
/// let a sender step around an override that is stricter than the default.
public struct RecipientPattern: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case address(String)
        case domain(String)
        case domainAndSubdomains(String)
    }

    public let kind: Kind

    /// Parses one entry; nil when it is none of the three forms.
    public init?(_ text: String) {
        let lowered = text.trimmingSpaces().lowercased()
        if lowered.hasPrefix("@.") {
            let domain = String(lowered.dropFirst(2))
            guard Self.isDomain(domain) else { return nil }
            kind = .domainAndSubdomains(domain)
        } else if lowered.hasPrefix("@") {
            let domain = String(lowered.dropFirst())
            guard Self.isDomain(domain) else { return nil }
            kind = .domain(domain)
        } else {
            let parts = lowered.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count >= 2, let domain = parts.last, !parts[0].isEmpty, Self.isDomain(String(domain)),
                  !lowered.contains(where: { $0 == "<" || $0 == ">" || $0 == " " })
            else { return nil }
            kind = .address(lowered)
        }
    }

    private static func isDomain(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
            && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "[" || $0 == "]" || $0 == ":" }
    }

    /// An envelope address as the MTA gives it (`<User@Example.ORG>`), lower-cased and split.
    public struct Address: Sendable, Equatable {
        public let address: String
        public let domain: String

        public init(_ text: String) {
            var bare = Substring(text.trimmingSpaces())
            if bare.hasPrefix("<"), bare.hasSuffix(">"), bare.count >= 2 { bare = bare.dropFirst().dropLast() }
            address = bare.lowercased()
            domain = address.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        }
    }

    /// Whether `address` is one this entry names.
    public func matches(_ address: Address) -> Bool {
        guard address.address.contains("@") else { return false }
        switch kind {
        case .address(let wanted): return address.address == wanted
        case .domain(let domain): return address.domain == domain
        case .domainAndSubdomains(let domain): return address.domain == domain || address.domain.hasSuffix("." + domain)
        }
    }

    /// As written in the configuration (lower-cased).
    public var description: String {
        switch kind {
        case .address(let address): address
        case .domain(let domain): "@" + domain
        case .domainAndSubdomains(let domain): "@." + domain
        }
    }
}
