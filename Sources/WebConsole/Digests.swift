public import Foundation
import Hummingbird
import MIME
import Quarantine
import ServiceLifecycle

/// Recipient digests: each recipient with held mail gets one message listing it, with signed
/// links to release (verdicts in `recipient_release_verdicts` only) or delete each message.
extension Console {
    /// What one digest run did.
    public struct DigestReport: Sendable, Equatable {
        /// Digests the relay accepted.
        public var sent = 0
        /// Digests that could not be sent.
        public var failed = 0
    }

    /// Sends one digest to each recipient with held mail, now.
    public func sendDigests(now: Date = Date()) -> DigestReport {
        var report = DigestReport()
        let held: [QuarantineEntry]
        do {
            held = try store.list(QuarantineQuery(filter: QuarantineFilter(status: .held), order: .receivedAt, descending: true, limit: 100_000)).entries
        } catch {
            logger.error("digest: cannot list held entries", metadata: ["error": "\(error.message)"])
            return report
        }
        var byRecipient: [String: [QuarantineEntry]] = [:]
        for entry in held where entry.action == .quarantine {
            for recipient in Set(entry.recipients.map { $0.address.lowercased() }) where !recipient.isEmpty {
                byRecipient[recipient, default: []].append(entry)
            }
        }
        for (recipient, entries) in byRecipient.sorted(by: { $0.key < $1.key }) {
            let message = digestMessage(to: recipient, entries: entries, now: now)
            do {
                let reply = try MailSubmission.send(Array(message.utf8), from: settings.digestSender, to: [recipient], relay: relay)
                report.sent += 1
                metrics.digest(sent: true)
                store.audit(AuditRecord(actor: "digest", action: "digest-sent", entryID: nil, origin: "web@" + hostName, detail: "\(recipient): \(entries.count) held; \(reply)"))
            } catch {
                report.failed += 1
                metrics.digest(sent: false)
                store.audit(AuditRecord(actor: "digest", action: "digest-failed", entryID: nil, origin: "web@" + hostName, detail: "\(recipient): \(error.message)"))
                logger.warning("digest not sent", metadata: ["mail.recipient": "\(recipient)", "error": "\(error.message)"])
            }
        }
        return report
    }

    /// The console's address as users reach it, without a trailing slash.
    var publicBase: String {
        var base = settings.publicURL.isEmpty ? "http://" + settings.listen : settings.publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// A digest as an RFC 5322 message: plain text, UTF-8, quoted-printable-free (lines are
    /// short and text from held mail is reduced to one printable line each).
    func digestMessage(to recipient: String, entries: [QuarantineEntry], now: Date) -> String {
        let expires = Int(now.timeIntervalSince1970 + settings.linkLifetime)
        let shown = entries.prefix(100)
        var body = "Mail addressed to you is held in quarantine: \(entries.count) message\(entries.count == 1 ? "" : "s").\r\n"
        body += "Links work once and until \(Display.time(Date(timeIntervalSince1970: Double(expires)))).\r\n\r\n"
        for entry in shown {
            body += "From:     \(Self.oneLine(entry.sender.address.isEmpty ? "<>" : entry.sender.address))\r\n"
            body += "Subject:  \(Self.oneLine(HeaderText.readable(entry.subject)))\r\n"
            body += "Received: \(Display.time(entry.receivedAt))\r\n"
            body += "Held as:  \(Self.oneLine(entry.verdict))\(entry.findings.isEmpty ? "" : " (" + Self.oneLine(entry.findings.joined(separator: ", ")) + ")")\r\n"
            if settings.recipientReleaseVerdicts.contains(Display.verdictKind(entry.verdict)) {
                body += "Release:  \(publicBase)/link?\(DigestLink(entry: entry.id.rawValue, recipient: recipient, action: .release, expires: expires).query(signer))\r\n"
            } else {
                body += "Release:  only your mail administrator can release this one.\r\n"
            }
            body += "Delete:   \(publicBase)/link?\(DigestLink(entry: entry.id.rawValue, recipient: recipient, action: .delete, expires: expires).query(signer))\r\n\r\n"
        }
        if entries.count > shown.count { body += "... and \(entries.count - shown.count) more.\r\n" }
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.timeZone = TimeZone(identifier: "UTC")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let headers = [
            "From: scanmilter quarantine <\(settings.digestSender)>",
            "To: <\(recipient)>",
            "Subject: Quarantined mail for you: \(entries.count) message\(entries.count == 1 ? "" : "s")",
            "Date: \(date.string(from: now))",
            "Message-ID: <digest.\(Signer.nonce())@\(hostName)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "Auto-Submitted: auto-generated",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Text from a held message made safe for one line of a digest: no control characters,
    /// at most 200 characters.
    static func oneLine(_ text: String) -> String {
        String(String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }).prefix(200))
    }
}

/// Sends digests every `digest_interval`. Several consoles may run: each run takes the store's
/// maintenance lock and looks in the audit log for a run within the interval, so recipients
/// get one digest per interval however many consoles there are.
struct DigestService: Service {
    let console: Console

    func run() async throws {
        let interval = console.settings.digestInterval
        let check = min(60.0, max(1.0, interval / 10))
        console.logger.info("digests scheduled", metadata: ["web.digest_interval": "\(interval)"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let console = self.console
            _ = try? await console.blocking { () throws -> Bool in
                let ran = try console.store.backend.withMaintenanceLock { () throws(QuarantineError) -> Bool in
                    let recent = try console.store.audit(AuditQuery(actor: "digest", since: Date().addingTimeInterval(-interval), limit: 1))
                    guard recent.isEmpty else { return false }
                    console.store.audit(AuditRecord(actor: "digest", action: "digest-run", entryID: nil, origin: "web@" + console.hostName))
                    let report = console.sendDigests()
                    console.logger.info("digests sent", metadata: ["web.digests_sent": "\(report.sent)", "web.digests_failed": "\(report.failed)"])
                    return true
                }
                return ran ?? false
            }
            try? await Task.sleep(for: .seconds(check))
        }
        console.logger.info("digests stopped: the console is shutting down")
    }
}
