import Foundation
import Crypto
import HummingbirdBcrypt
import Synchronization

/// The console's administrators: an htpasswd file with bcrypt hashes, one `NAME:HASH` a line,
/// as `htpasswd -B` writes it (`$2y$`; `$2a$` and `$2b$` too). The file is read again when it
/// changes, so adding or removing a user needs no restart.
public final class UserFile: Sendable {
    /// The file's path.
    public let path: String
    private struct State {
        var modified: Date?
        var users: [String: String] = [:]
        /// Checked name, password and hash (their SHA-256), so that the API's Basic auth does
        /// not pay a bcrypt for every request. Lost on restart; nothing depends on it.
        var verified: Set<String> = []
    }
    private let state = Mutex(State())

    /// The users of the file at `path`; throws when it cannot be read or has no bcrypt user.
    public init(path: String) throws(WebConsoleError) {
        self.path = path
        let users = try Self.read(path)
        guard !users.isEmpty else { throw WebConsoleError("\(path) has no user with a bcrypt hash (make one with htpasswd -B \(path) NAME)") }
        let modified = Self.modified(path)
        state.withLock { $0.users = users; $0.modified = modified }
    }

    /// Whether `password` is the password of `name`. An unknown name costs a bcrypt too, so
    /// timing does not tell which names exist.
    public func verify(name: String, password: String) -> Bool {
        refresh()
        let hash = state.withLock { $0.users[name] }
        let cacheKey = SHA256.hash(data: Array("\(name)\u{0}\(password)\u{0}\(hash ?? "")".utf8)).map { String(format: "%02x", $0) }.joined()
        if hash != nil, state.withLock({ $0.verified.contains(cacheKey) }) { return true }
        // A fixed hash of cost 5 for unknown users (htpasswd -B's default cost).
        let checked = hash ?? "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
        // $2y$ (PHP's and htpasswd's name) is the same algorithm as OpenBSD's $2b$.
        let normalized = checked.hasPrefix("$2y$") ? "$2b$" + checked.dropFirst(4) : checked
        let good = Bcrypt.verify(password, hash: String(normalized)) && hash != nil
        if good { state.withLock { state in if state.verified.count > 10_000 { state.verified = [] }; state.verified.insert(cacheKey) } }
        return good
    }

    private func refresh() {
        let modified = Self.modified(path)
        guard modified != state.withLock({ $0.modified }) else { return }
        guard let users = try? Self.read(path) else { return }
        state.withLock { $0.users = users; $0.modified = modified; $0.verified = [] }
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The bcrypt users of an htpasswd text; other hash kinds (MD5 `$apr1$`, SHA-1, crypt) are
    /// skipped, as they are too weak to accept.
    static func parse(_ text: String) -> [String: String] {
        var users: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else { continue }
            let name = String(trimmed[..<colon])
            let hash = String(trimmed[trimmed.index(after: colon)...])
            guard !name.isEmpty, ["$2y$", "$2b$", "$2a$"].contains(where: { hash.hasPrefix($0) }) else { continue }
            users[name] = hash
        }
        return users
    }

    static func read(_ path: String) throws(WebConsoleError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw WebConsoleError("cannot read the users file \(path)") }
        return parse(String(decoding: data, as: UTF8.self))
    }
}

/// API bearer tokens from `[web] api_tokens_file`: `NAME:TOKEN` a line; the name is what the
/// audit log records.
public struct APITokens: Sendable {
    private let digests: [String: String]

    /// Tokens from the text of a tokens file; tokens shorter than 20 characters are refused.
    public init(text: String) throws(WebConsoleError) {
        var digests: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let colon = trimmed.firstIndex(of: ":") else { throw WebConsoleError("line \(number + 1): expected NAME:TOKEN") }
            let name = String(trimmed[..<colon])
            let token = String(trimmed[trimmed.index(after: colon)...])
            guard !name.isEmpty, token.count >= 20 else { throw WebConsoleError("line \(number + 1): a token needs a name and at least 20 characters") }
            digests[Self.digest(token)] = name
        }
        self.digests = digests
    }

    /// No tokens.
    public init() {
        digests = [:]
    }

    /// The name of `token`, or nil. Tokens are kept as SHA-256 digests and looked up by them,
    /// so comparison time does not depend on how much of a guess is right.
    public func name(of token: String) -> String? {
        digests[Self.digest(token)]
    }

    private static func digest(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
