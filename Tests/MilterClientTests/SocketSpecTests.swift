import MilterClient
import Testing

@Suite("Socket specs")
struct SocketSpecTests {
    @Test(arguments: [
        ("unix:/run/milter.sock", MilterSocketSpec.unix(path: "/run/milter.sock")),
        ("local:/tmp/m", .unix(path: "/tmp/m")),
        ("/var/m.sock", .unix(path: "/var/m.sock")),
        ("inet:8891@127.0.0.1", .inet(host: "127.0.0.1", port: 8891)),
        ("inet:8891@localhost", .inet(host: "localhost", port: 8891)),
        ("inet:8891", .inet(host: "127.0.0.1", port: 8891)),
        ("inet:127.0.0.1:8891", .inet(host: "127.0.0.1", port: 8891)),
        ("inet6:8891@::1", .inet6(host: "::1", port: 8891)),
        ("inet6:8891@[::1]", .inet6(host: "::1", port: 8891)),
        ("INET:25@mx", .inet(host: "mx", port: 25)),
        ("inet6:25", .inet6(host: "::1", port: 25)),
    ])
    func validSpecsParse(text: String, expected: MilterSocketSpec) throws {
        #expect(try MilterSocketSpec(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "milter", "tcp:25@host", "unix:", "inet:", "inet:0@host", "inet:65536@host",
        "inet:port@host", "inet:25@", "inet6:x@::1", "unix:/" + String(repeating: "x", count: 120),
    ])
    func malformedSpecsAreRefusedClearly(text: String) {
        do {
            _ = try MilterSocketSpec(parsing: text)
            Issue.record("parsed \(text)")
        } catch let error as MilterClientError {
            #expect(error.code == .invalidSocketSpec)
            #expect(error.message.contains("\"\(text)\""))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func connectingToAMissingSocketIsAConnectError() {
        do {
            _ = try MilterConnection(connectingTo: .unix(path: "/nonexistent/dir/milter.sock"))
            Issue.record("connected to nothing")
        } catch let error as MilterClientError {
            #expect(error.code == .connectFailed)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
