import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Quarantine

/// The administrators' pages: sign-in, list, message, actions, audit log.
extension Console {
    static let sessionCookie = "sm_session"
    static let loginCookie = "sm_login"
    static let pageSize = 50

    func addPages(to router: Router<ConsoleContext>) {
        router.get("/login") { request, context in self.loginPage(request, context, error: nil) }
        router.post("/login") { request, context in try await self.signIn(request, context) }
        router.post("/logout") { request, context in
            let (session, _) = try await self.requireForm(request)
            self.store.audit(AuditRecord(actor: session.user, action: "sign-out", entryID: nil, origin: self.clientAddress(request, context)))
            return Self.redirect("/login", cookies: [self.cookie(Self.sessionCookie, "", maxAge: 0, secure: self.isSecure(request, context))])
        }
        router.get("/") { request, context in
            guard let session = self.session(request) else { return Self.redirect("/login") }
            return try await self.listPage(request, session: session)
        }
        router.get("/messages/:id") { request, context in
            guard let session = self.session(request) else { return Self.redirect("/login") }
            return try await self.messagePage(request, context, session: session)
        }
        router.get("/messages/:id/raw") { request, context in
            guard let session = self.session(request) else { return Self.redirect("/login") }
            let id = try Self.entryID(context)
            let origin = self.clientAddress(request, context)
            let bytes = try await self.blocking { () throws -> [UInt8] in
                let bytes = try self.store.message(id)
                self.store.audit(AuditRecord(actor: session.user, action: "download", entryID: id, origin: origin))
                return bytes
            }
            return Self.download(bytes, id: id)
        }
        router.post("/messages/:id/release") { request, context in
            let (session, fields) = try await self.requireForm(request)
            let id = try Self.entryID(context)
            let notice = try await self.release([id], fields: fields, user: session.user, origin: self.clientAddress(request, context), via: "console")
            return Self.redirect("/messages/\(id)?n=\(notice)")
        }
        router.post("/messages/:id/delete") { request, context in
            let (session, fields) = try await self.requireForm(request)
            let id = try Self.entryID(context)
            let notice = try await self.delete([id], reason: fields.first { $0.0 == "reason" }?.1 ?? "", user: session.user, origin: self.clientAddress(request, context), via: "console")
            return Self.redirect("/messages/\(id)?n=\(notice)")
        }
        router.post("/bulk") { request, context in
            let (session, fields) = try await self.requireForm(request)
            let ids = fields.filter { $0.0 == "id" }.compactMap { QuarantineID($0.1) }
            let action = fields.first { $0.0 == "action" }?.1
            let origin = self.clientAddress(request, context)
            let notice: String
            switch action {
            case "release": notice = try await self.release(ids, fields: fields, user: session.user, origin: origin, via: "console")
            case "delete": notice = try await self.delete(ids, reason: fields.first { $0.0 == "reason" }?.1 ?? "", user: session.user, origin: origin, via: "console")
            default: throw HTTPError(.badRequest, message: "unknown bulk action")
            }
            return Self.redirect("/?n=\(notice)")
        }
        router.get("/audit") { request, context in
            guard let session = self.session(request) else { return Self.redirect("/login") }
            return try await self.auditPage(request, session: session)
        }
    }

    /// The session of the request's cookie, if it is valid.
    func session(_ request: Request) -> Session? {
        cookieValue(request, Self.sessionCookie).flatMap { Session.parse($0, signer: signer) }
    }

    /// The session and the form of a state-changing request whose CSRF token is right.
    func requireForm(_ request: Request) async throws -> (Session, [(String, String)]) {
        guard let session = session(request) else { throw HTTPError(.unauthorized, message: "sign in first") }
        let fields = try await formFields(request)
        guard let token = fields.first(where: { $0.0 == "csrf" })?.1, session.acceptsCSRF(token, signer: signer) else {
            throw HTTPError(.forbidden, message: "the form's CSRF token is missing or wrong; reload the page and try again")
        }
        return (session, fields)
    }

    static func entryID(_ context: ConsoleContext) throws -> QuarantineID {
        guard let text = context.parameters.get("id"), let id = QuarantineID(text) else { throw HTTPError(.notFound, message: "no such entry") }
        return id
    }

    static func download(_ bytes: [UInt8], id: QuarantineID) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"\(id.rawValue).eml\"",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: sign-in

    func loginPage(_ request: Request, _ context: ConsoleContext, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = Signer.nonce()
        let html = page("login", ["form": signer.sign(nonce, domain: "login"), "error": error as Any], title: "Sign in", session: nil)
        return Self.html(html, status: status, cookies: [cookie(Self.loginCookie, nonce, maxAge: 1800, path: "/login", secure: isSecure(request, context))])
    }

    func signIn(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let fields = FormFields.parse(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
        guard let nonce = cookieValue(request, Self.loginCookie), let form = fields["form"], signer.verify(nonce, domain: "login", signature: form) else {
            return loginPage(request, context, error: "The sign-in form expired; try again.", status: .forbidden)
        }
        let user = String((fields["user"] ?? "").prefix(200))
        let password = fields["password"] ?? ""
        let origin = clientAddress(request, context)
        switch try await checkPassword(user: user, password: password, origin: origin) {
        case .limited:
            return loginPage(request, context, error: "Too many failed sign-ins; wait a few minutes.", status: .tooManyRequests)
        case .failed:
            return loginPage(request, context, error: "Wrong user name or password.", status: .unauthorized)
        case .good:
            let session = Session(user: user, expires: Int(Date().timeIntervalSince1970 + settings.sessionLifetime))
            let secure = isSecure(request, context)
            return Self.redirect("/", cookies: [
                cookie(Self.sessionCookie, session.cookieValue(signer), maxAge: Int(settings.sessionLifetime), secure: secure),
                cookie(Self.loginCookie, "", maxAge: 0, path: "/login", secure: secure),
            ])
        }
    }

    enum SignInResult { case good, failed, limited }

    /// Checks a password under both rate limits (this process's per address, and the store's
    /// audit log per user name, which every console shares), and records the outcome.
    func checkPassword(user: String, password: String, origin: String, record: Bool = true) async throws -> SignInResult {
        guard limiter.allows(origin) else {
            metrics.signIn("limited")
            return .limited
        }
        let recentFailures = try await blocking {
            try self.store.audit(AuditQuery(actor: user, since: Date().addingTimeInterval(-900), limit: 50)).filter { $0.action == "sign-in-failed" }.count
        }
        guard recentFailures < 10 else {
            metrics.signIn("limited")
            return .limited
        }
        let good = try await blocking { self.users.verify(name: user, password: password) }
        if good {
            // An API call with Basic credentials is not a sign-in; only the form counts.
            if record { metrics.signIn("good") }
            if record { store.audit(AuditRecord(actor: user, action: "sign-in", entryID: nil, origin: origin)) }
            return .good
        }
        metrics.signIn("failed")
        limiter.failed(origin)
        store.audit(AuditRecord(actor: user, action: "sign-in-failed", entryID: nil, origin: origin))
        logger.warning("console sign-in failed", metadata: ["web.user": "\(user)", "web.client": "\(origin)"])
        return .failed
    }

    // MARK: list

    func listPage(_ request: Request, session: Session) async throws -> Response {
        let parameters = request.uri.queryParameters
        var collected: [String: String] = [:]
        for name in ["q", "sender", "recipient", "subject", "finding", "verdict", "host", "status", "since", "until", "order", "desc", "page", "n", "ok", "failed"] {
            if let value = parameters[Substring(name)], !value.isEmpty { collected[name] = String(value) }
        }
        let fields = collected
        let query = try ListQuery(fields: fields, pageSize: Self.pageSize)
        let html = try await blocking { () throws -> String in
            let page = try self.store.list(query.query)
            var data: [String: Any] = [
                "total": page.total, "entries": page.entries.map(Display.row), "query": fields, "csrf": session.csrfToken(self.signer),
                "advanced": ["sender", "recipient", "subject", "finding", "verdict", "host", "since", "until"].contains { fields[$0] != nil },
                "statuses": ([("", "any status")] + EntryStatus.allCases.map { ($0.rawValue, $0.rawValue) }).map { value, label in
                    ["value": value, "label": label, "selected": (fields["status"] ?? "") == value] as [String: Any]
                },
                "columns": ListQuery.columns.map { order, label in
                    let active = query.query.order == order
                    var link = fields.filter { !["order", "desc", "page", "n", "ok", "failed"].contains($0.key) }
                    link["order"] = order.rawValue
                    if !active || !query.query.descending { link["desc"] = active ? "1" : (order == .receivedAt ? "1" : "0") } else { link["desc"] = "0" }
                    return ["label": label, "href": ListQuery.href(link), "arrow": active ? (query.query.descending ? "↓" : "↑") : ""] as [String: Any]
                },
                "range": page.total == 0 ? "" : "\(query.offset + 1)–\(query.offset + page.entries.count) of \(page.total)",
            ]
            var paging = fields.filter { !["n", "ok", "failed"].contains($0.key) }
            if query.page > 1 { paging["page"] = String(query.page - 1); data["previous"] = ListQuery.href(paging) }
            if query.offset + page.entries.count < page.total { paging["page"] = String(query.page + 1); data["next"] = ListQuery.href(paging) }
            if let notice = fields["n"] { data["notice"] = Self.noticeText(notice, ok: Int(fields["ok"] ?? ""), failed: Int(fields["failed"] ?? "")) }
            return self.page("list", data, title: "Messages", session: session)
        }
        return Self.html(html)
    }

    // MARK: message

    func messagePage(_ request: Request, _ context: ConsoleContext, session: Session) async throws -> Response {
        let id = try Self.entryID(context)
        let notice = request.uri.queryParameters["n"].map { Self.noticeText(String($0), ok: nil, failed: nil) }
        let html = try await blocking { () throws -> String in
            let entry: QuarantineEntry
            do throws(QuarantineError) {
                entry = try self.store.entry(id)
            } catch {
                if error.code == .unknownID { throw HTTPError(.notFound, message: "no quarantine entry \(id)") }
                throw error
            }
            var data: [String: Any] = [
                "entry": Display.detail(entry), "held": entry.status == .held, "csrf": session.csrfToken(self.signer),
                "history": try self.store.audit(AuditQuery(entryID: id, limit: 200)).map(Display.audit),
            ]
            if let notice { data["notice"] = notice }
            if entry.action == .quarantine && entry.status != .deleted {
                do throws(QuarantineError) {
                    let bytes = try self.store.message(id)
                    data["parsed"] = MessageView.render(bytes, detector: self.detector)
                    data["raw"] = true
                } catch {
                    data["error"] = "The stored message cannot be shown: \(error.message)"
                }
            } else if entry.action == .hold {
                data["error"] = "The message is in Postfix's hold queue (queue id \(entry.queueID)); see it with postcat -q \(entry.queueID)."
            }
            return self.page("message", data, title: entry.subject.isEmpty ? id.rawValue : entry.subject, session: session)
        }
        return Self.html(html)
    }

    // MARK: actions

    /// Releases `ids` as the form asks; returns the notice code for the page that follows.
    func release(_ ids: [QuarantineID], fields: [(String, String)], user: String, origin: String, via: String) async throws -> String {
        let reason = (fields.first { $0.0 == "reason" }?.1 ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let force = fields.contains { $0.0 == "force" && $0.1 == "1" }
        let to = (fields.first { $0.0 == "to" }?.1 ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        if force && reason.isEmpty { return "reason-needed" }
        guard !ids.isEmpty else { return "none-selected" }
        let options = ReleaseOptions(relay: relay, recipients: to.isEmpty ? nil : to, releasedBy: user, force: force, origin: origin, reason: reason)
        var results: [String] = []
        for id in ids { results.append(try await releaseOne(id, options: options, via: via).result) }
        if ids.count == 1 { return results[0] }
        return "bulk&ok=\(results.filter { $0 == "released" }.count)&failed=\(results.filter { $0 != "released" }.count)"
    }

    /// One release, with its metric; the result is `released`, `kept_held`, `refused`,
    /// `not_held`, `invalid` or `error`.
    func releaseOne(
        _ id: QuarantineID, options: ReleaseOptions, via: String, allowing allowed: Set<String> = []
    ) async throws -> (result: String, reason: String, reply: String) {
        let scanner = self.rescan
        let rescan: @Sendable ([UInt8]) -> RescanResult? = { bytes in
            let result = scanner?(bytes)
            switch result {
            case .banned where allowed.contains("banned"), .unscannable where allowed.contains("unscannable"),
                 .infected where allowed.contains("infected"):
                return .clean
            default:
                return result
            }
        }
        let outcome: (String, String, String) = try await blocking {
            do throws(QuarantineError) {
                switch try self.store.release(id, options: options, rescan: rescan) {
                case .released(let record): return ("released", "", record.reply)
                case .keptHeld(let reason): return ("kept_held", reason, "")
                case .refused(let reason, let record): return ("refused", reason, record.reply)
                case .wouldRelease: return ("error", "dry run", "")
                }
            } catch {
                switch error.code {
                case .notHeld: return ("not_held", error.message, "")
                case .unknownID: return ("unknown", error.message, "")
                case .invalidArgument: return ("invalid", error.message, "")
                default: return ("error", error.message, "")
                }
            }
        }
        metrics.release(via: via, result: outcome.0)
        return outcome
    }

    func delete(_ ids: [QuarantineID], reason: String, user: String, origin: String, via: String) async throws -> String {
        guard !ids.isEmpty else { return "none-selected" }
        var deleted = 0
        var failed = 0
        for id in ids {
            let done: Bool = try await blocking {
                do {
                    try self.store.delete(id, by: user, origin: origin, reason: reason)
                    return true
                } catch {
                    return false
                }
            }
            if done { deleted += 1; metrics.deletion(via: via) } else { failed += 1 }
        }
        if ids.count == 1 { return deleted == 1 ? "deleted" : "not_held" }
        return "bulk&ok=\(deleted)&failed=\(failed)"
    }

    /// Fixed texts for notice codes: nothing from the URL is echoed but two numbers.
    static func noticeText(_ code: String, ok: Int?, failed: Int?) -> String {
        switch code {
        case "released": return "Released: the relay accepted the message."
        case "kept_held": return "Still held: the rescan finds something (see the status). To release it anyway, tick the box and give a reason."
        case "refused": return "Still held: the relay refused the message or could not be reached (see the status)."
        case "reason-needed": return "Releasing anyway needs a reason for the audit log."
        case "not_held": return "Nothing done: the entry is not held (already released or deleted?)."
        case "deleted": return "Deleted."
        case "none-selected": return "Nothing selected."
        case "invalid": return "Nothing done: an address given is not an address."
        case "bulk": return "Done: \(ok ?? 0) succeeded, \(failed ?? 0) did not (see each message's status)."
        default: return "Something went wrong; see the status and the audit log."
        }
    }

    // MARK: audit

    func auditPage(_ request: Request, session: Session) async throws -> Response {
        let parameters = request.uri.queryParameters
        let actor = parameters["actor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let entryText = parameters["entry"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let page = max(1, parameters["page"].flatMap { Int(String($0)) } ?? 1)
        let html = try await blocking { () throws -> String in
            let records = try self.store.audit(AuditQuery(entryID: entryText.flatMap(QuarantineID.init), actor: actor, limit: 101, offset: (page - 1) * 100))
            var data: [String: Any] = ["records": records.prefix(100).map(Display.audit), "actor": actor ?? "", "entryID": entryText ?? ""]
            var link: [String: String] = [:]
            if let actor { link["actor"] = actor }
            if let entryText { link["entry"] = entryText }
            if page > 1 { link["page"] = String(page - 1); data["previous"] = "/audit" + ListQuery.href(link).dropFirst() }
            if records.count > 100 { link["page"] = String(page + 1); data["next"] = "/audit" + ListQuery.href(link).dropFirst() }
            return self.page("audit", data, title: "Audit log", session: session)
        }
        return Self.html(html)
    }
}
