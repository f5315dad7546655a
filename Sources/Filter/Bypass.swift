public import ScanmilterConfiguration

/// Why a message (or a whole connection) is not scanned, decided as early as the SMTP dialogue
/// allows so that trusted mail costs nothing: a trusted client at connect, an authenticated or
/// allowlisted sender at MAIL FROM, allowlisted recipients once all are known.
public enum BypassReason: String, Sendable, Equatable {
    case trustedNetwork = "trusted-network"
    case authenticated = "authenticated"
    case senderAllowlist = "sender-allowlist"
    case recipientAllowlist = "recipient-allowlist"
}

/// The bypass rules of `[policy]`, evaluated at each SMTP stage.
public struct BypassRules: Sendable {
    let settings: PolicySettings

    public init(_ settings: PolicySettings) {
        self.settings = settings
    }

    /// At connect: is the client in `trusted_networks`? Unix-socket and unknown clients never are.
    public func atConnect(clientAddress: String?) -> BypassReason? {
        guard let clientAddress, settings.trustedNetworks.contains(where: { $0.contains(clientAddress) }) else { return nil }
        return .trustedNetwork
    }

    /// At MAIL FROM: an SMTP-authenticated sender (macro `{auth_authen}`), or an allowlisted sender.
    public func atSender(_ sender: String, authenticatedUser: String?) -> BypassReason? {
        if settings.skipAuthenticated, let user = authenticatedUser, !user.isEmpty { return .authenticated }
        if Self.matches(sender, settings.senderAllowlist) { return .senderAllowlist }
        return nil
    }

    /// Once all recipients are known: only when every one of them is allowlisted, since one
    /// scanned recipient means the message must be scanned for all.
    public func atRecipients(_ recipients: [String]) -> BypassReason? {
        guard !recipients.isEmpty, !settings.recipientAllowlist.isEmpty,
              recipients.allSatisfy({ Self.matches($0, settings.recipientAllowlist) })
        else { return nil }
        return .recipientAllowlist
    }

    /// `user@example.org` matches itself (case-insensitively); `@example.org` matches the domain.
    static func matches(_ address: String, _ list: [String]) -> Bool {
        let bare = address.trimmingCharacters(in: "<> ").lowercased()
        guard !bare.isEmpty else { return false }
        let domain = bare.split(separator: "@").last.map { "@" + $0 } ?? ""
        return list.contains { entry in
            let entry = entry.lowercased()
            return entry.hasPrefix("@") ? entry == domain : entry == bare
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
