import ScanmilterConfiguration
import Foundation

/// One stopped message as notifications tell it: taken when the message was decided, handed to
/// the ``Notifier``'s queue, and turned into mails and the hook's JSON on its thread. Everything
/// from the message (subject, addresses, names) is data here: it goes into a mail body or a JSON
/// string, never into a header unsanitised, an argument or an environment variable.
struct MessageNotice: Sendable, Encodable {
    /// One recipient and what its policy decided.
    struct Recipient: Sendable, Encodable, Equatable {
        var address: String
        var policy: String
        var action: String
        var verdict: String
    }

    var time: Date
    var host: String
    var queueID: String
    var clientAddress: String
    var helo: String
    var sender: String
    var subject: String
    var recipients: [Recipient]
    /// clean, infected, banned, unscanned (the verdict behind the message's action).
    var verdict: String
    /// `Infected (Eicar-Test-Signature)`: the status header's text.
    var status: String
    var viruses: [String]
    var rules: [String]
    /// What was done (`reject`, `quarantine id=...`, `tag (removed 1; quarantine id=...)`).
    var action: String
    var quarantineID: String?
    /// Who the administrators' mail goes to (not in the JSON: configuration, not the message's).
    var admins: [String]
    /// Recipients whose copy is in the quarantine or the hold queue (told when `[notify] recipients`).
    var held: [String]

    enum CodingKeys: String, CodingKey {
        case event, time, host, queueID = "queue_id", clientAddress = "client_address", helo, sender, subject, recipients
        case verdict, status, viruses, rules, action, quarantineID = "quarantine_id"
    }

    func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: CodingKeys.self)
        try fields.encode("message-stopped", forKey: .event)
        try fields.encode(time, forKey: .time)
        try fields.encode(host, forKey: .host)
        try fields.encode(queueID, forKey: .queueID)
        try fields.encode(clientAddress, forKey: .clientAddress)
        try fields.encode(helo, forKey: .helo)
        try fields.encode(sender, forKey: .sender)
        try fields.encode(subject, forKey: .subject)
        try fields.encode(recipients, forKey: .recipients)
        try fields.encode(verdict, forKey: .verdict)
        try fields.encode(status, forKey: .status)
        try fields.encode(viruses, forKey: .viruses)
        try fields.encode(rules, forKey: .rules)
        try fields.encode(action, forKey: .action)
        try fields.encode(quarantineID, forKey: .quarantineID)
    }

    /// The values `%` placeholders take.
    var templateValues: MessageTemplate.Values {
        MessageTemplate.Values(viruses: viruses, rules: rules, queueID: queueID, quarantineID: quarantineID ?? "none")
    }
}

/// Builds the mails notifications send: plain text, marked as automatic (RFC 3834
/// `Auto-Submitted: auto-generated`) so that vacation responders stay quiet.
struct NotificationMail {
    /// The envelope sender (empty: `<>`) and the From header's address.
    let from: String
    let host: String

    /// The header's From address: the configured one, or MAILER-DAEMON at this host.
    var fromHeader: String { from.isEmpty ? "MAILER-DAEMON@\(host)" : from }

    /// The administrators' mail: what was found, what was done, the envelope.
    func admin(_ notice: MessageNotice, subject template: String) -> [UInt8] {
        var body = [
            "scanmilter on \(notice.host) stopped a message.",
            "",
            "Queue id:      \(notice.queueID)",
            "Verdict:       \(notice.status)",
            "Action:        \(notice.action)",
            "Quarantine id: \(notice.quarantineID ?? "none")",
            "Sender:        <\(Self.bare(notice.sender))>",
            "Client:        \(notice.clientAddress) (\(notice.helo))",
            "Subject:       \(notice.subject)",
            "Recipients:",
        ]
        for recipient in notice.recipients {
            body.append("  <\(Self.bare(recipient.address))>: \(recipient.action) (\(recipient.verdict), policy \(recipient.policy))")
        }
        if let id = notice.quarantineID {
            body += ["", "Review it with: scanmilterctl quarantine show \(id)"]
        }
        return compose(to: notice.admins, subject: MessageTemplate(template).render(notice.templateValues), body: body)
    }

    /// A recipient's or the sender's mail: the configured text, filled in.
    func personal(_ notice: MessageNotice, to address: String, subject: String, text: String) -> [UInt8] {
        compose(to: [address], subject: subject, body: [MessageTemplate(text).render(notice.templateValues)])
    }

    /// The summary sent instead of the notifications past `max_per_minute`.
    func summary(to admins: [String], suppressed: Int, lines: [String]) -> [UInt8] {
        var body = [
            "scanmilter on \(host) stopped \(suppressed) more message(s) in the last minute than [notify] max_per_minute",
            "lets it tell one by one. The first of them:", "",
        ]
        body += lines
        if suppressed > lines.count { body.append("... and \(suppressed - lines.count) more (see the log)") }
        return compose(to: admins, subject: "[scanmilter] \(suppressed) more stopped message(s) in the last minute", body: body)
    }

    private func compose(to recipients: [String], subject: String, body: [String]) -> [UInt8] {
        let headers = [
            "From: scanmilter <\(fromHeader)>",
            "To: " + recipients.map { "<\($0)>" }.joined(separator: ", "),
            "Subject: " + Self.encodedHeader(HeaderText.sanitized(subject, limit: 200)),
            "Date: " + Self.date(Date()),
            "Message-ID: <\(UUID().uuidString.lowercased())@\(host)>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        // Text from the message (a subject with line breaks) cannot start a line of its own.
        let lines = body.map { HeaderText.sanitized($0, limit: 2000) }
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func bare(_ address: String) -> String {
        var text = Substring(address)
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count >= 2 { text = text.dropFirst().dropLast() }
        return String(text)
    }

    /// ASCII as is; anything else as one RFC 2047 encoded word (UTF-8, base64).
    static func encodedHeader(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    /// RFC 5322 section 3.3: `Sun, 06 Dec 2026 16:40:07 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}

/// `[notify] max_per_minute`: how many notifications a minute may bring; past it, the rest are
/// counted and listed in one summary when the minute is over.
struct NotificationRateLimit {
    let limit: Int
    private(set) var windowStart: ContinuousClock.Instant?
    private(set) var sent = 0
    private(set) var suppressed = 0
    /// The first suppressed notices, one line each, for the summary.
    private(set) var lines: [String] = []
    /// Who the suppressed notices would have gone to.
    private(set) var admins: [String] = []
    static let window = Duration.seconds(60)
    static let summaryLines = 20

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether a notification may go now; if not, it is counted for the summary.
    mutating func admit(_ line: String, admins recipients: [String], now: ContinuousClock.Instant) -> Bool {
        if windowStart.map({ now - $0 >= Self.window }) ?? true, suppressed == 0 {
            windowStart = now
            sent = 0
        }
        if sent < limit {
            sent += 1
            return true
        }
        suppressed += 1
        if lines.count < Self.summaryLines { lines.append(line) }
        for admin in recipients where !admins.contains(admin) { admins.append(admin) }
        return false
    }

    /// The summary to send once the minute with suppressed notices is over; starts a new window.
    mutating func dueSummary(now: ContinuousClock.Instant) -> (count: Int, lines: [String], admins: [String])? {
        guard suppressed > 0, let start = windowStart, now - start >= Self.window else { return nil }
        let summary = (suppressed, lines, admins)
        windowStart = now
        sent = 0
        suppressed = 0
        lines = []
        admins = []
        return summary
    }
}
