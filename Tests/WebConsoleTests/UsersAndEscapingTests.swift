import Foundation
import Testing
@testable import WebConsole
import HummingbirdBcrypt

@Suite struct UsersAndEscapingTests {
    func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "webconsole-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func bcryptUsersVerifyAndWeakHashesAreIgnored() throws {
        let hash = Bcrypt.hash("s3cret pass", cost: 5)
        let path = try temporaryFile("# admins\nalice:\(hash)\nmd5user:$apr1$abc$def\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let users = try UserFile(path: path)
        #expect(users.verify(name: "alice", password: "s3cret pass"))
        #expect(!users.verify(name: "alice", password: "s3cret pasS"))
        #expect(!users.verify(name: "md5user", password: "anything"))
        #expect(!users.verify(name: "nobody", password: "s3cret pass"))
        #expect(UserFile.parse("x:$apr1$a$b\ny:{SHA}abc\n").isEmpty)
    }

    @Test func htpasswdTwoYHashesVerify() throws {
        // $2y$ is the same algorithm as $2b$: a hash written as $2y$ must verify.
        let hash = Bcrypt.hash("correct horse", cost: 5)
        let twoY = "$2y$" + hash.dropFirst(4)
        let path = try temporaryFile("admin:\(twoY)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let users = try UserFile(path: path)
        #expect(users.verify(name: "admin", password: "correct horse"))
        #expect(!users.verify(name: "admin", password: "correct horsE"))
    }

    @Test func fileWithoutBcryptUsersIsRefused() throws {
        let path = try temporaryFile("old:$apr1$abc$def\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: WebConsoleError.self) { try UserFile(path: path) }
    }

    @Test func apiTokensNeedLengthAndMatchExactly() throws {
        let tokens = try APITokens(text: "# scripts\nbackup:0123456789abcdefghijXYZ\n")
        #expect(tokens.name(of: "0123456789abcdefghijXYZ") == "backup")
        #expect(tokens.name(of: "0123456789abcdefghijXY") == nil)
        #expect(throws: WebConsoleError.self) { try APITokens(text: "short:abc\n") }
    }

    static let hostile = [
        "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "\"><svg onload=alert(3)>", "javascript:alert(4)",
        "' onmouseover='alert(5)", "</textarea></pre><b>bold</b>",
    ]

    @Test(arguments: hostile) func messageDataIsEscapedOnEveryTemplate(_ payload: String) throws {
        let entry: [String: Any] = [
            "id": payload, "subject": payload, "sender": payload, "recipients": payload, "findings": payload, "verdict": payload,
            "statusReason": payload, "client": payload, "received": payload, "status": payload, "host": payload, "queueID": payload,
            "sha256": payload, "signatureVersion": payload, "size": payload,
        ]
        let parsed: [String: Any] = [
            "headers": [["name": payload, "value": payload]],
            "parts": [["path": payload, "declared": payload, "detected": payload, "filename": payload, "disposition": payload, "encoding": payload, "size": 1, "defects": payload, "indent": ""]],
            "texts": [["path": payload, "type": payload, "text": payload, "truncated": false, "shown": 1]],
        ]
        let data: [String: Any] = [
            "entry": entry, "held": true, "raw": true, "csrf": payload, "parsed": parsed, "notice": payload, "error": payload,
            "history": [["at": payload, "actor": payload, "action": payload, "origin": payload, "detail": payload, "entry": payload]],
            "entries": [entry], "records": [["at": payload, "actor": payload, "action": payload, "origin": payload, "detail": payload, "entry": payload]],
            "query": ["q": payload, "sender": payload], "heading": payload, "text": payload, "button": payload,
            "fields": [["name": payload, "value": payload]], "findings": payload, "received": payload,
        ]
        for name in Templates.sources.keys where name != "layout" {
            let html = try #require(Templates.library.render(data, withTemplate: name))
            if payload.contains(where: { "<>\"'".contains($0) }) {
                #expect(!html.contains(payload), "\(name) shows the payload unescaped")
            }
            #expect(!html.contains("href=\"javascript"), "\(name) links to javascript:")
            #expect(!html.lowercased().contains("<script"), "\(name) has a script element")
            #expect(!html.contains("<img"), "\(name) has an image element")
        }
    }

    @Test func everyTemplateParses() {
        for name in Templates.sources.keys {
            #expect(Templates.library.getTemplate(named: name) != nil, "\(name) does not parse")
        }
    }
}
