public import Foundation

/// A signed-in administrator, as the session cookie carries it: name, expiry and a random
/// nonce, signed. Nothing is stored on the server, so any console with the key accepts it.
public struct Session: Sendable, Equatable {
    /// The user's name from the users file.
    public var user: String
    /// When the session ends (seconds since 1970).
    public var expires: Int
    /// Random; the CSRF token is derived from it.
    public var nonce: String

    public init(user: String, expires: Int, nonce: String = Signer.nonce()) {
        self.user = user
        self.expires = expires
        self.nonce = nonce
    }

    /// The cookie value: `base64url(user).expires.nonce.signature`.
    public func cookieValue(_ signer: Signer) -> String {
        let body = "\(Base64URL.encode(Array(user.utf8))).\(expires).\(nonce)"
        return body + "." + signer.sign(body, domain: "session")
    }

    /// The session in a cookie value, when its signature is good and it has not expired.
    public static func parse(_ value: String, signer: Signer, now: Date = Date()) -> Session? {
        let fields = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, let expires = Int(fields[1]), let userBytes = Base64URL.decode(fields[0]) else { return nil }
        let body = fields[0...2].joined(separator: ".")
        guard signer.verify(body, domain: "session", signature: fields[3]) else { return nil }
        guard Double(expires) > now.timeIntervalSince1970 else { return nil }
        return Session(user: String(decoding: userBytes, as: UTF8.self), expires: expires, nonce: fields[2])
    }

    /// The CSRF token every state-changing form of this session carries.
    public func csrfToken(_ signer: Signer) -> String {
        signer.sign(nonce, domain: "csrf")
    }

    /// Whether `token` is this session's CSRF token.
    public func acceptsCSRF(_ token: String, signer: Signer) -> Bool {
        signer.verify(nonce, domain: "csrf", signature: token)
    }
}

/// A digest link: lets one recipient release or delete one entry, until it expires, once.
public struct DigestLink: Sendable, Equatable {
    /// What the link does.
    public enum Action: String, Sendable, CaseIterable {
        case release
        case delete
    }

    /// The entry id.
    public var entry: String
    /// The recipient the digest went to.
    public var recipient: String
    /// What it does.
    public var action: Action
    /// When it stops working (seconds since 1970).
    public var expires: Int

    public init(entry: String, recipient: String, action: Action, expires: Int) {
        self.entry = entry
        self.recipient = recipient
        self.action = action
        self.expires = expires
    }

    /// The signed text: every field, separated by a byte no field may hold.
    private var signedText: String { "\(entry)\n\(recipient)\n\(action.rawValue)\n\(expires)" }

    /// The signature over entry, recipient, action and expiry.
    public func signature(_ signer: Signer) -> String {
        signer.sign(signedText, domain: "link")
    }

    /// The query string of the link (`e`, `r`, `a`, `x`, `s`).
    public func query(_ signer: Signer) -> String {
        "e=\(entry)&r=\(Base64URL.encode(Array(recipient.utf8)))&a=\(action.rawValue)&x=\(expires)&s=\(signature(signer))"
    }

    /// Why a link is refused.
    public enum Refusal: String, Sendable, Error {
        case malformed, badSignature = "bad-signature", expired
    }

    /// The link in `fields` (from a query or form), checked: signature first, then expiry.
    public static func parse(_ fields: [String: String], signer: Signer, now: Date = Date()) -> Result<DigestLink, Refusal> {
        guard let entry = fields["e"], let recipient64 = fields["r"], let recipientBytes = Base64URL.decode(recipient64),
              let action = fields["a"].flatMap(Action.init(rawValue:)), let expires = fields["x"].flatMap({ Int($0) }),
              let signature = fields["s"]
        else { return .failure(.malformed) }
        let link = DigestLink(entry: entry, recipient: String(decoding: recipientBytes, as: UTF8.self), action: action, expires: expires)
        guard signer.verify(link.signedText, domain: "link", signature: signature) else { return .failure(.badSignature) }
        guard Double(expires) > now.timeIntervalSince1970 else { return .failure(.expired) }
        return .success(link)
    }
}
