import Milter
import Testing

@Suite("Socket specs")
struct SocketSpecTests {
    @Test func validSpecsParse() throws {
        #expect(try SocketSpec("unix:/run/milter.sock").kind == .unix(path: "/run/milter.sock"))
        #expect(try SocketSpec("local:/tmp/m.sock").path == "/tmp/m.sock")
        #expect(try SocketSpec("/tmp/bare.sock").kind == .unix(path: "/tmp/bare.sock"))
        #expect(try SocketSpec("inet:8890@127.0.0.1").kind == .inet(port: 8890, host: "127.0.0.1"))
        #expect(try SocketSpec("inet:8890").kind == .inet(port: 8890, host: nil))
        #expect(try SocketSpec("inet:25@mail.example.org").port == 25)
        #expect(try SocketSpec("inet6:8890@::1").kind == .inet6(port: 8890, host: "::1"))
        #expect(try SocketSpec("INET:1@localhost").port == 1)
    }

    @Test(arguments: [
        ("", "expected unix:/path"),
        ("8890", "expected unix:/path"),
        ("tcp:8890@127.0.0.1", "unknown socket type \"tcp\""),
        ("unix:", "the socket path is empty"),
        ("inet:", "port \"\" is not a number"),
        ("inet:0@127.0.0.1", "port \"0\" is not a number from 1 to 65535"),
        ("inet:65536@127.0.0.1", "port \"65536\""),
        ("inet:port@127.0.0.1", "port \"port\""),
        ("inet:8890@", "nothing after '@'"),
        ("inet:8890@999.1.1.1", "not a valid IPv4 address"),
        ("inet:8890@bad host", "is not an address or host name"),
        ("inet6:8890@[::1]", "is not an address or host name"),
        ("unix:/tmp/\u{1}x", "contains control characters"),
    ])
    func malformedSpecsGiveAClearError(spec: String, reason: String) {
        #expect {
            try SocketSpec(spec)
        } throws: { error in
            guard case .invalidSocketSpec(let given, let why) = error as? MilterError else { return false }
            return given == spec && why.contains(reason)
        }
    }

    @Test func overlongUnixPathIsRefused() {
        let path = "/tmp/" + String(repeating: "a", count: 120)
        #expect(throws: MilterError.self) { try SocketSpec("unix:" + path) }
    }

    @Test func setConnectionChecksTheSpecBeforeLibmilter() {
        #expect(throws: MilterError.invalidSocketSpec(spec: "inet:x@y", reason: "port \"x\" is not a number from 1 to 65535")) {
            try Libmilter.setConnection("inet:x@y")
        }
    }
}
