import Foundation
import Crypto

/// Signs and checks the console's tokens (session cookies, CSRF tokens, digest links) with
/// HMAC-SHA256 under the key of `[web] secret_file`. Every console that shares the key accepts
/// what any of them signed, so consoles behind a load balancer keep no session state.
public struct Signer: Sendable {
    /// The key's bytes (`SymmetricKey` is not `Sendable`; making one per use is cheap).
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// A signer with `secret` as its key; at least 32 bytes, as RFC 2104 section 3 advises for
    /// a key as long as the hash output.
    public init(secret: [UInt8]) throws(WebConsoleError) {
        guard secret.count >= 32 else {
            throw WebConsoleError("the secret is \(secret.count) bytes; give at least 32 (e.g. head -c 48 /dev/urandom | base64)")
        }
        self.secret = secret
    }

    /// The key in the file at `path` (surrounding white space ignored).
    public static func load(path: String) throws(WebConsoleError) -> Signer {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WebConsoleError("cannot read the secret file \(path)")
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
        return try Signer(secret: bytes)
    }

    /// The signature of `text` in `domain` (so a session signature is never a valid link
    /// signature), base64url without padding.
    public func sign(_ text: String, domain: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("\(domain)\u{0}\(text)".utf8), using: key)
        return Base64URL.encode(Array(code))
    }

    /// Whether `signature` is the signature of `text` in `domain`; compared in constant time.
    public func verify(_ text: String, domain: String, signature: String) -> Bool {
        guard let bytes = Base64URL.decode(signature), bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Array("\(domain)\u{0}\(text)".utf8), using: key)
    }

    /// A random value for a session or form, base64url.
    public static func nonce(bytes count: Int = 18) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// RFC 4648 section 5 base64url without padding: safe in cookies, URLs and form fields.
public enum Base64URL {
    /// `bytes` as base64url.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of base64url `text`; nil when it is not base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ isAlphabet($0) }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
    }
}

/// Something about the console's setup or a request that is wrong, in words to act on.
public struct WebConsoleError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
