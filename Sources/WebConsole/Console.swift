public import ScanmilterConfiguration
import FileMagic
import Foundation
public import Hummingbird
import HTTPTypes
public import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
public import Quarantine
import ScanmilterVersion

/// The quarantine web console: the administrators' pages, the JSON API, digest links, and the
/// recipient digests, over one ``QuarantineStore`` on any backend.
///
/// It keeps nothing in memory that matters: sessions, CSRF tokens and digest links are signed
/// with the shared key, and sign-in failures, link uses and digest runs are in the store's
/// audit log, so several consoles can run behind a load balancer on a shared store.
public final class Console: Sendable {
    /// `[web]` settings.
    public let settings: WebSettings
    /// `[quarantine] release_relay`: releases and digests go there.
    public let relay: String
    let store: QuarantineStore
    let users: UserFile
    let tokens: APITokens
    let signer: Signer
    let rescan: (@Sendable ([UInt8]) -> RescanResult?)?
    let logger: Logger
    let metrics = ConsoleMetrics()
    let limiter = SignInLimiter()
    let detector: TypeDetector?
    let hostName = QuarantineStore.localHostName()

    /// A console; `rescan` is the daemon's pipeline run offline before each release (nil: none
    /// configured, and releases say they were not rescanned).
    public init(
        settings: WebSettings, relay: String, store: QuarantineStore, users: UserFile, tokens: APITokens, signer: Signer,
        rescan: (@Sendable ([UInt8]) -> RescanResult?)?, logger: Logger
    ) {
        self.settings = settings
        self.relay = relay
        self.store = store
        self.users = users
        self.tokens = tokens
        self.signer = signer
        self.rescan = rescan
        self.logger = logger
        detector = try? TypeDetector()
    }

    /// The router with every page, the API and the static files.
    public func router() -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.add(middleware: SecurityHeaders(console: self))
        addPages(to: router)
        addAPI(to: router)
        addLinks(to: router)
        router.get("/static/console.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css)))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return router
    }

    /// Serves on `host:port` until the process is told to stop; digests go out every
    /// `digest_interval` when it is set.
    public func run(host: String, port: Int) async throws {
        var services: [any Service] = []
        if settings.digestInterval > 0 { services.append(DigestService(console: self)) }
        let app = Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services, logger: logger)
        try await app.runService()
    }

    /// Runs blocking store work off the server's threads.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// The client's address: the peer, or the last `X-Forwarded-For` hop when the peer is a
    /// trusted proxy.
    func clientAddress(_ request: Request, _ context: ConsoleContext) -> String {
        guard settings.trustedProxies.contains(context.peer), let name = HTTPField.Name("X-Forwarded-For"),
              let forwarded = request.headers[values: name].last?.split(separator: ",").last
        else { return context.peer }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }

    /// Whether the client reached us over TLS (at a trusted proxy).
    func isSecure(_ request: Request, _ context: ConsoleContext) -> Bool {
        guard settings.trustedProxies.contains(context.peer), let name = HTTPField.Name("X-Forwarded-Proto") else { return false }
        return request.headers[name]?.lowercased() == "https"
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, and Secure behind TLS.
    func cookie(_ name: String, _ value: String, maxAge: Int, path: String = "/", secure: Bool) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The value of cookie `name` in the request.
    func cookieValue(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// The body as form fields (at most 1 MiB).
    func formFields(_ request: Request) async throws -> [(String, String)] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return FormFields.parseAll(String(buffer: buffer))
    }

    /// A page in the layout.
    func page(_ template: String, _ data: [String: Any], title: String, session: Session?) -> String {
        let body = Templates.library.render(data, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body, "version": ConsoleVersion.text]
        if let session {
            layout["user"] = session.user
            layout["csrf"] = session.csrfToken(signer)
        }
        return Templates.library.render(layout, withTemplate: "layout") ?? ""
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 to a path of this console (never to anywhere a request named: no open redirect).
    static func redirect(_ path: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: path.hasPrefix("/") && !path.hasPrefix("//") ? path : "/"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}

/// The request context: the connection's peer address beside Hummingbird's own.
public struct ConsoleContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address.
    public let peer: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress ?? ""
    }
}

/// Headers on every response: a strict Content-Security-Policy (nothing but the console's own
/// stylesheet; no script at all), no sniffing, no framing, no referrer (digest links carry
/// their token in the URL).
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ConsoleContext
    let console: Console

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            if request.uri.path.hasPrefix("/api/") {
                var headers = error.headers
                headers[.contentType] = "application/json"
                let body = error.body ?? #"{"error":"\#(error.status.code)"}"#
                response = Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
            } else {
                response = Console.html(
                    Console.escapeForPage(error.body ?? "\(error.status.code) \(error.status.reasonPhrase)"), status: error.status)
            }
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        if let frame = HTTPField.Name("X-Frame-Options") { response.headers[frame] = "DENY" }
        if let referrer = HTTPField.Name("Referrer-Policy") { response.headers[referrer] = "no-referrer" }
        if console.isSecure(request, context) { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}

extension Console {
    /// Text for a bare error page, escaped.
    static func escapeForPage(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return "<!DOCTYPE html><title>error</title><p>" + out + "</p>"
    }
}

/// The version pages show.
enum ConsoleVersion {
    static let text = ScanmilterVersion.current
}
