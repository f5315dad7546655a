import Foundation
import Hummingbird
import Quarantine

/// A list request (the page's search form or the API's query) as a ``QuarantineQuery``.
struct ListQuery {
    let query: QuarantineQuery
    let page: Int
    var offset: Int { query.offset }

    static let columns: [(QuarantineQuery.Order, String)] = [
        (.receivedAt, "Received"), (.sender, "Sender"), (.subject, "Subject"), (.size, "Size"), (.verdict, "Verdict"), (.status, "Status"), (.host, "Host"),
    ]

    /// From the fields of a form or query; a bad value is a 400 that names it.
    init(fields: [String: String], pageSize: Int? = nil) throws {
        func text(_ name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : String($0.prefix(500)) } }
        var filter = QuarantineFilter(
            sender: text("sender"), recipient: text("recipient"), subject: text("subject"), finding: text("finding"),
            verdict: text("verdict"), host: text("host"), text: text("q"))
        if let status = text("status") {
            guard let parsed = EntryStatus(rawValue: status) else { throw HTTPError(.badRequest, message: "status must be one of held, releasing, released, deleted") }
            filter.status = parsed
        }
        if let since = text("since") { filter.since = try Self.date(since, name: "since", endOfDay: false) }
        if let until = text("until") { filter.until = try Self.date(until, name: "until", endOfDay: true) }
        var order = QuarantineQuery.Order.receivedAt
        if let name = text("order") {
            guard let parsed = QuarantineQuery.Order(rawValue: name) else {
                throw HTTPError(.badRequest, message: "order must be one of \(QuarantineQuery.Order.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            order = parsed
        }
        let descending = text("desc").map { $0 == "1" || $0 == "true" } ?? (order == .receivedAt)
        let limit: Int
        let offset: Int
        if let pageSize {
            page = min(max(1, Int(text("page") ?? "") ?? 1), 1_000_000)
            limit = pageSize
            offset = (page - 1) * pageSize
        } else {
            guard let parsedLimit = Int(text("limit") ?? "50"), (1...500).contains(parsedLimit) else { throw HTTPError(.badRequest, message: "limit must be 1 to 500") }
            guard let parsedOffset = Int(text("offset") ?? "0"), (0...100_000_000).contains(parsedOffset) else { throw HTTPError(.badRequest, message: "offset must be 0 or more") }
            limit = parsedLimit
            offset = parsedOffset
            page = 1
        }
        query = QuarantineQuery(filter: filter, order: order, descending: descending, limit: limit, offset: offset)
    }

    /// `YYYY-MM-DD` (the whole day, UTC) or an RFC 3339 time.
    static func date(_ text: String, name: String, endOfDay: Bool) throws -> Date {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if text.count == 10, let date = day.date(from: text) { return endOfDay ? date.addingTimeInterval(86400) : date }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        throw HTTPError(.badRequest, message: "\(name) must be a date (YYYY-MM-DD) or an RFC 3339 time")
    }

    /// `/?name=value&...` with the fields in a stable order.
    static func href(_ fields: [String: String]) -> String {
        "/?" + fields.sorted { $0.key < $1.key }.map { "\(FormFields.encode($0.key))=\(FormFields.encode($0.value))" }.joined(separator: "&")
    }
}
