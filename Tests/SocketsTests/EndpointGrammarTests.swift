import Sockets
import Testing

@Suite("The socket address grammar")
struct EndpointGrammarTests {
    @Test(arguments: [
        ("unix:/run/milter.sock", Endpoint.unix(path: "/run/milter.sock")),
        ("local:/tmp/m", .unix(path: "/tmp/m")),
        ("/var/m.sock", .unix(path: "/var/m.sock")),
        ("inet:8891@127.0.0.1", .tcp(host: "127.0.0.1", port: 8891, family: .ipv4)),
        ("inet:8891", .tcp(host: nil, port: 8891, family: .ipv4)),
        ("inet:127.0.0.1:8891", .tcp(host: "127.0.0.1", port: 8891, family: .ipv4)),
        ("inet6:8891@::1", .tcp(host: "::1", port: 8891, family: .ipv6)),
        ("inet6:8891@[::1]", .tcp(host: "::1", port: 8891, family: .ipv6)),
        ("INET:25@mx", .tcp(host: "mx", port: 25, family: .ipv4)),
        ("127.0.0.1:3310", .tcp(host: "127.0.0.1", port: 3310, family: .any)),
        ("relay.example.org:587", .tcp(host: "relay.example.org", port: 587, family: .any)),
        ("[::1]:25", .tcp(host: "::1", port: 25, family: .any)),
        ("tcp:scan.example:3310", .tcp(host: "scan.example", port: 3310, family: .any)),
    ])
    func everyFormParsesToOneEndpoint(text: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: text) == expected)
        #expect(try Endpoint(parsing: expected.description) == expected)
    }

    @Test(arguments: [
        ("", "expected unix:/path"),
        ("milter", "expected unix:/path"),
        ("unix:", "the socket path is empty"),
        ("inet:0@host", "port \"0\" is not a number from 1 to 65535"),
        ("inet:65536@host", "port \"65536\""),
        ("inet:25@", "nothing after '@'"),
        ("inet:25@999.1.1.1", "not a valid IPv4 address"),
        ("inet:25@bad host", "is not an address or host name"),
        ("::1:25", "needs brackets"),
        ("[::1]25", "expected :PORT after ']'"),
        (":3310", "the host is empty"),
        ("host:http", "port \"http\""),
        ("unix:/tmp/\u{1}x", "contains control characters"),
        ("unix:/" + String(repeating: "x", count: 120), "at most 107 fit in sun_path"),
    ])
    func malformedAddressesSayWhatIsWrong(text: String, reason: String) {
        #expect {
            try Endpoint(parsing: text)
        } throws: { error in
            (error as? EndpointError).map { $0.text == text && $0.reason.contains(reason) } ?? false
        }
    }

    @Test func listeningAllowsEveryAddressAndAnyFreePort() throws {
        #expect(try Endpoint(parsing: ":9465", rules: .listen) == .tcp(host: nil, port: 9465, family: .any))
        #expect(try Endpoint(parsing: "*:9465", rules: .listen) == .tcp(host: nil, port: 9465, family: .any))
        #expect(try Endpoint(parsing: "127.0.0.1:0", rules: .listen).port == 0)
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "127.0.0.1:0") }
    }

    @Test func libmilterRulesAcceptOnlyWhatSmfiSetconnParses() throws {
        #expect(try Endpoint(parsing: "inet:8890", rules: .libmilter) == .tcp(host: nil, port: 8890, family: .ipv4))
        for text in ["127.0.0.1:8890", "tcp:8890@127.0.0.1", "inet6:8890@[::1]", "inet:127.0.0.1:8890"] {
            #expect(throws: EndpointError.self) { try Endpoint(parsing: text, rules: .libmilter) }
        }
    }
}
