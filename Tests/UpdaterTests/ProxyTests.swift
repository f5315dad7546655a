import Foundation
import Logging
import Testing
import Updater

extension LibfreshclamTests {
    /// `[update] proxy` and `user_agent` reach libfreshclam: a CONNECT proxy on 127.0.0.1 (what
    /// libfreshclam asks a proxy for) tunnels every connection to the mirror, whose name does not
    /// even resolve, and the mirror sees our User-Agent.
    @Suite struct ProxyTests {
        @Test func updateGoesThroughTheProxyWithTheConfiguredUserAgent() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6), script: Self.loggingMirror)
            let proxy = try MirrorServer(directory: "\(mirror.port)", script: Self.connectProxy)
            let configuration = UpdaterConfiguration(
                databaseDirectory: database, databases: ["test"],
                // .invalid never resolves (RFC 2606): only the proxy can have reached it.
                privateMirrors: ["http://mirror.scanmilter.invalid"],
                proxy: "http://127.0.0.1:\(proxy.port)", userAgent: "scanmilter-test/1.0",
                dnsVersionCheck: false, maxAttempts: 1, connectTimeout: 5, requestTimeout: 10)

            let report = try SignatureUpdater(configuration: configuration, logger: Logger(label: "updater-tests")).update()

            #expect(report.databases.map(\.version) == [6])
            #expect(proxy.log().contains("CONNECT mirror.scanmilter.invalid:80"))
            #expect(mirror.log().contains("GET /test-6.cdiff HTTP/1.1 UA scanmilter-test/1.0"))
        }

        @Test func proxyThatIsNotAURLIsAConfigurationError() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let configuration = UpdaterConfiguration(
                databaseDirectory: database, databases: ["test"], privateMirrors: ["http://127.0.0.1:9"],
                proxy: "not a proxy", dnsVersionCheck: false)

            let error = #expect(throws: UpdateError.self) {
                try SignatureUpdater(configuration: configuration, logger: Logger(label: "updater-tests")).update()
            }

            #expect(error?.code == .configuration)
            #expect(error?.message.contains("not a proxy") == true)
        }

        /// A file server that logs each request line with its User-Agent (arguments: port, folder).
        static let loggingMirror = """
            import http.server, sys, functools
            class Mirror(http.server.SimpleHTTPRequestHandler):
                def log_request(self, code='-', size='-'):
                    sys.stderr.write("%s UA %s\\n" % (self.requestline, self.headers.get("User-Agent")))
                    sys.stderr.flush()
            handler = functools.partial(Mirror, directory=sys.argv[2])
            http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
            """

        /// A CONNECT proxy that logs each request line and tunnels every connection to the
        /// mirror on 127.0.0.1 whatever host was asked for (arguments: port, mirror port).
        static let connectProxy = """
            import socket, sys, threading
            def pipe(a, b):
                try:
                    while True:
                        data = a.recv(65536)
                        if not data: break
                        b.sendall(data)
                except OSError: pass
                finally:
                    for s in (a, b):
                        try: s.shutdown(socket.SHUT_RDWR)
                        except OSError: pass
            def serve(client):
                head = b""
                while b"\\r\\n\\r\\n" not in head:
                    chunk = client.recv(4096)
                    if not chunk: return
                    head += chunk
                sys.stderr.write(head.split(b"\\r\\n")[0].decode() + "\\n"); sys.stderr.flush()
                upstream = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
                client.sendall(b"HTTP/1.1 200 Connection established\\r\\n\\r\\n")
                threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
                pipe(upstream, client)
            listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", int(sys.argv[1]))); listener.listen(16)
            while True:
                connection, _ = listener.accept()
                threading.Thread(target=serve, args=(connection,), daemon=True).start()
            """
    }
}

@Test func dnsVersionCheckIsOnOnlyForTheOfficialMirror() {
    #expect(UpdaterConfiguration(databaseDirectory: "/x").dnsVersionCheck)
    #expect(!UpdaterConfiguration(databaseDirectory: "/x", privateMirrors: ["http://127.0.0.1:1"]).dnsVersionCheck)
    #expect(!UpdaterConfiguration(databaseDirectory: "/x", dnsVersionCheck: false).dnsVersionCheck)
}
