import Foundation
import Hummingbird
import HTTPTypes
import MIME
import Quarantine

/// Digest links: a recipient releases or deletes one held message without an account. The
/// GET shows what the link does and asks to confirm (mail scanners fetch links, and a GET must
/// change nothing); the POST does it. A link works once: its use is recorded in the audit log
/// and looked for there, so every console behind a load balancer knows.
extension Console {
    func addLinks(to router: Router<ConsoleContext>) {
        router.get("/link") { request, context in
            var fields: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { fields[String(name)] = String(value) }
            return try await self.link(fields, request, context, confirm: false)
        }
        router.post("/link") { request, context in
            let buffer = try await request.body.collect(upTo: 16 * 1024)
            return try await self.link(FormFields.parse(String(buffer: buffer)), request, context, confirm: true)
        }
    }

    /// The tag a link's use is recorded under: its signature's start.
    static func useTag(_ signature: String) -> String { "link " + String(signature.prefix(22)) }

    func link(_ fields: [String: String], _ request: Request, _ context: ConsoleContext, confirm: Bool) async throws -> Response {
        let origin = clientAddress(request, context)
        let link: DigestLink
        switch DigestLink.parse(fields, signer: signer) {
        case .failure(let refusal):
            return refuse(refusal.rawValue, entry: fields["e"], actor: "link", origin: origin)
        case .success(let parsed):
            link = parsed
        }
        guard let id = QuarantineID(link.entry) else { return refuse("malformed", entry: nil, actor: "link", origin: origin) }
        let actor = "recipient:" + link.recipient
        let tag = Self.useTag(fields["s"] ?? "")
        let allowed = settings.recipientReleaseVerdicts
        let check: (QuarantineEntry?, String?) = try await blocking {
            guard let entry = try? self.store.entry(id) else { return (nil, "unknown-entry") }
            guard entry.recipients.contains(where: { $0.address.lowercased() == link.recipient.lowercased() }) else { return (entry, "not-a-recipient") }
            let used = try self.store.audit(AuditQuery(entryID: id, limit: 1000)).contains { $0.action == "link-used" && $0.detail.hasPrefix(tag) }
            if used { return (entry, "reused") }
            guard entry.status == .held else { return (entry, "not-held") }
            if link.action == .release && !allowed.contains(Display.verdictKind(entry.verdict)) { return (entry, "verdict-not-releasable") }
            return (entry, nil)
        }
        if let reason = check.1 { return refuse(reason, entry: link.entry, actor: actor, origin: origin) }
        guard let entry = check.0 else { return refuse("unknown-entry", entry: link.entry, actor: actor, origin: origin) }
        let verb = link.action == .release ? "Release" : "Delete"
        guard confirm else {
            let data: [String: Any] = [
                "heading": "\(verb) this message?", "sender": entry.sender.address, "subject": HeaderText.readable(entry.subject),
                "received": Display.time(entry.receivedAt), "verdict": entry.verdict, "findings": entry.findings.joined(separator: ", "),
                "button": link.action == .release ? "Release it to me" : "Delete it",
                "fields": ["e", "r", "a", "x", "s"].map { ["name": $0, "value": fields[$0] ?? ""] },
            ]
            return Self.html(page("link", data, title: "\(verb) a message", session: nil))
        }
        store.audit(AuditRecord(actor: actor, action: "link-used", entryID: id, origin: origin, detail: "\(tag) \(link.action.rawValue)"))
        let heading: String
        let text: String
        switch link.action {
        case .release:
            // The rescan still runs: what it finds of a kind recipients may release (banned,
            // by default) does not keep the message; anything else (a virus) does.
            let options = ReleaseOptions(
                relay: relay, recipients: [link.recipient], releasedBy: actor, origin: origin,
                reason: "digest link; recipients may release: " + allowed.joined(separator: ", "))
            let outcome = try await releaseOne(id, options: options, via: "link", allowing: Set(allowed))
            switch outcome.result {
            case "released": (heading, text) = ("Released", "The message is on its way to \(link.recipient).")
            case "kept_held": (heading, text) = ("Still held", "A fresh scan still finds something in it, so it stays held. Ask your mail administrator.")
            default: (heading, text) = ("Not released", "The message could not be released just now. Ask your mail administrator.")
            }
        case .delete:
            let deleted: Bool = try await blocking {
                do { try self.store.delete(id, by: actor, origin: origin, reason: "digest link"); return true } catch { return false }
            }
            if deleted { metrics.deletion(via: "link") }
            (heading, text) = deleted ? ("Deleted", "The message is deleted.") : ("Not deleted", "The message could not be deleted.")
        }
        return Self.html(page("notice", ["heading": heading, "text": text], title: heading, session: nil))
    }

    /// Refuses a link: a 403 page that says little, an audit record and a log line that say why.
    func refuse(_ reason: String, entry: String?, actor: String, origin: String) -> Response {
        metrics.linkRefused(reason)
        store.audit(AuditRecord(actor: actor, action: "link-refused", entryID: entry.flatMap(QuarantineID.init), origin: origin, detail: reason))
        logger.warning("digest link refused", metadata: ["web.reason": "\(reason)", "web.client": "\(origin)", "quarantine.id": "\(entry ?? "-")"])
        let text = switch reason {
        case "expired": "This link has expired."
        case "reused", "not-held": "This link was already used, or the message was already released or deleted."
        case "verdict-not-releasable": "This message cannot be released from a digest. Ask your mail administrator."
        default: "This link is not valid."
        }
        return Self.html(page("notice", ["heading": "Link refused", "text": text], title: "Link refused", session: nil), status: .forbidden)
    }
}
