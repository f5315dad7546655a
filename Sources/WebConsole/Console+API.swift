import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Quarantine
import StableJSON

/// The JSON API under `/api/`, described by `/api/openapi.yaml` (``OpenAPIDocument``): the
/// same operations as the pages, for scripts. HTTP Basic with the console's users, or a
/// bearer token from `[web] api_tokens_file`.
extension Console {
    func addAPI(to router: Router<ConsoleContext>) {
        router.get("/api/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.get("/api/messages") { request, context in
            _ = try await self.apiUser(request, context)
            var fields: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { fields[String(name)] = String(value) }
            let query = try ListQuery(fields: fields)
            let page = try await self.blocking { try self.store.list(query.query) }
            return try Self.json(APIList(total: page.total, limit: query.query.limit ?? 0, offset: query.offset, entries: page.entries))
        }
        router.get("/api/messages/:id") { request, context in
            _ = try await self.apiUser(request, context)
            let id = try Self.entryID(context)
            return try Self.json(try await self.blocking { try self.apiEntry(id) })
        }
        router.get("/api/messages/:id/raw") { request, context in
            let user = try await self.apiUser(request, context)
            let id = try Self.entryID(context)
            let origin = self.clientAddress(request, context)
            let bytes = try await self.blocking { () throws -> [UInt8] in
                do throws(QuarantineError) {
                    let bytes = try self.store.message(id)
                    self.store.audit(AuditRecord(actor: user, action: "download", entryID: id, origin: origin))
                    return bytes
                } catch {
                    throw Self.apiError(error)
                }
            }
            return Self.download(bytes, id: id)
        }
        router.post("/api/messages/:id/release") { request, context in
            let user = try await self.apiUser(request, context)
            let id = try Self.entryID(context)
            let body: APIReleaseRequest = try await Self.decodeBody(request, empty: APIReleaseRequest())
            if body.force == true && (body.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw Self.problem(.badRequest, "reason_needed", "releasing with force needs a reason")
            }
            if let to = body.to, to.isEmpty { throw Self.problem(.badRequest, "invalid", "to must name at least one address") }
            let options = ReleaseOptions(
                relay: self.relay, recipients: body.to, releasedBy: user, force: body.force ?? false,
                origin: self.clientAddress(request, context), reason: body.reason ?? "")
            let outcome = try await self.releaseOne(id, options: options, via: "api")
            switch outcome.result {
            case "unknown": throw Self.problem(.notFound, "unknown_id", outcome.reason)
            case "not_held": throw Self.problem(.conflict, "not_held", outcome.reason)
            case "invalid": throw Self.problem(.badRequest, "invalid", outcome.reason)
            default: return try Self.json(APIReleaseResult(id: id.rawValue, result: outcome.result, reason: outcome.reason, reply: outcome.reply))
            }
        }
        router.post("/api/messages/:id/delete") { request, context in
            let user = try await self.apiUser(request, context)
            let id = try Self.entryID(context)
            let body: APIDeleteRequest = try await Self.decodeBody(request, empty: APIDeleteRequest())
            let origin = self.clientAddress(request, context)
            try await self.blocking {
                do throws(QuarantineError) {
                    try self.store.delete(id, by: user, origin: origin, reason: body.reason ?? "")
                } catch {
                    throw Self.apiError(error)
                }
            }
            self.metrics.deletion(via: "api")
            return try Self.json(APIReleaseResult(id: id.rawValue, result: "deleted", reason: "", reply: ""))
        }
        router.get("/api/audit") { request, context in
            _ = try await self.apiUser(request, context)
            let parameters = request.uri.queryParameters
            guard let limit = Int(parameters["limit"].map(String.init) ?? "100"), (1...1000).contains(limit) else {
                throw Self.problem(.badRequest, "invalid", "limit must be 1 to 1000")
            }
            guard let offset = Int(parameters["offset"].map(String.init) ?? "0"), offset >= 0 else {
                throw Self.problem(.badRequest, "invalid", "offset must be 0 or more")
            }
            var entryID: QuarantineID?
            if let text = parameters["entry_id"].map(String.init), !text.isEmpty {
                guard let id = QuarantineID(text) else { throw Self.problem(.badRequest, "invalid", "entry_id is not a quarantine id") }
                entryID = id
            }
            let actor = parameters["actor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let entryFilter = entryID
            let records = try await self.blocking { try self.store.audit(AuditQuery(entryID: entryFilter, actor: actor, limit: limit, offset: offset)) }
            return try Self.json(APIAudit(records: records))
        }
        router.get("/api/stats") { request, context in
            _ = try await self.apiUser(request, context)
            return try Self.json(try await self.blocking { try self.store.stats() })
        }
    }

    /// The API caller's name, or a 401 (429 when the address is rate-limited).
    func apiUser(_ request: Request, _ context: ConsoleContext) async throws -> String {
        let header = request.headers[.authorization] ?? ""
        if header.hasPrefix("Bearer "), let name = tokens.name(of: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) {
            return "token:" + name
        }
        if header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
           let colon = decoded.firstIndex(of: UInt8(ascii: ":")) {
            let user = String(decoding: decoded[decoded.startIndex..<colon], as: UTF8.self)
            let password = String(decoding: decoded[decoded.index(after: colon)...], as: UTF8.self)
            switch try await checkPassword(user: user, password: password, origin: clientAddress(request, context), record: false) {
            case .good: return user
            case .limited: throw Self.problem(.tooManyRequests, "rate_limited", "too many failed sign-ins; wait a few minutes")
            case .failed: break
            }
        }
        throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"scanmilter\", charset=\"UTF-8\""], message: #"{"error":"unauthorized","message":"give HTTP Basic credentials of a console user or a bearer token"}"#)
    }

    func apiEntry(_ id: QuarantineID) throws -> QuarantineEntry {
        do throws(QuarantineError) {
            return try store.entry(id)
        } catch {
            throw Self.apiError(error)
        }
    }

    static func apiError(_ error: QuarantineError) -> HTTPError {
        switch error.code {
        case .unknownID, .malformedID: return problem(.notFound, "unknown_id", error.message)
        case .notHeld: return problem(.conflict, "not_held", error.message)
        case .fileMissing: return problem(.gone, "no_message", error.message)
        case .invalidArgument: return problem(.badRequest, "invalid", error.message)
        case .checksumMismatch: return problem(.conflict, "checksum_mismatch", error.message)
        default: return problem(.serviceUnavailable, "store_error", error.message)
        }
    }

    /// A JSON error body `{"error": code, "message": text}`.
    static func problem(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> HTTPError {
        let body = (try? StableJSONEncoder().encode(APIProblem(error: code, message: message))) ?? #"{"error":"\#(code)"}"#
        return HTTPError(status, headers: [.contentType: "application/json"], message: body)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let text = try StableJSONEncoder().encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func decodeBody<T: Decodable>(_ request: Request, empty: T) async throws -> T {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        guard buffer.readableBytes > 0 else { return empty }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw problem(.badRequest, "invalid", "the body is not the JSON object this operation takes")
        }
    }
}

struct APIList: Encodable {
    var total: Int
    var limit: Int
    var offset: Int
    var entries: [QuarantineEntry]
}

struct APIAudit: Encodable {
    var records: [AuditRecord]
}

struct APIReleaseRequest: Decodable {
    var force: Bool?
    var reason: String?
    var to: [String]?
}

struct APIDeleteRequest: Decodable {
    var reason: String?
}

struct APIReleaseResult: Encodable {
    var id: String
    var result: String
    var reason: String
    var reply: String
}

struct APIProblem: Encodable {
    var error: String
    var message: String
}
