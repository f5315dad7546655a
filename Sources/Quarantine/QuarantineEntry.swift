public import Foundation

/// An envelope address as the client gave it, with its ESMTP parameters (`SIZE=1234`, `NOTIFY=NEVER`).
public struct EnvelopeAddress: Sendable, Hashable, Codable {
    /// The address without angle brackets; empty for the null sender `<>`.
    public var address: String
    /// The ESMTP parameters in the order given, each `KEYWORD` or `KEYWORD=value`.
    public var parameters: [String]

    /// An address with its parameters; one pair of surrounding angle brackets (`<a@b>`, as
    /// libmilter passes the envelope) is removed, so `MAIL FROM:<...>` never doubles them.
    public init(_ address: String, parameters: [String] = []) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("<") && trimmed.hasSuffix(">") && trimmed.count >= 2 {
            self.address = String(trimmed.dropFirst().dropLast())
        } else {
            self.address = trimmed
        }
        self.parameters = parameters
    }
}

/// What the daemon did with the message.
public enum QuarantineAction: String, Sendable, Codable, CaseIterable {
    /// A copy is in the store; Postfix was told the message is delivered (or discarded).
    case quarantine
    /// The message sits in Postfix's hold queue; the store only lists it.
    case hold
}

/// Where an entry stands.
public enum EntryStatus: String, Sendable, Codable, CaseIterable {
    /// Kept back; can be released or deleted.
    case held
    /// A release has claimed it and is talking to the relay right now.
    case releasing
    /// Delivered to the relay (or released from the hold queue).
    case released
    /// Its message was deleted; the row stays as a record until purged.
    case deleted
}

/// What the daemon knows about a message when it quarantines it.
public struct NewEntry: Sendable {
    /// When the message arrived.
    public var receivedAt: Date
    /// Postfix's queue id (`i` macro); empty when unknown.
    public var queueID: String
    /// The client's IP address.
    public var clientAddress: String
    /// The name the client gave in HELO/EHLO.
    public var clientHelo: String
    /// The envelope sender with its MAIL FROM parameters.
    public var sender: EnvelopeAddress
    /// The envelope recipients with their RCPT TO parameters.
    public var recipients: [EnvelopeAddress]
    /// The decoded Subject header; empty when there is none.
    public var subject: String
    /// The verdict that kept it back (`infected`, `banned`, `unscannable`, ...).
    public var verdict: String
    /// Virus names or banned rule names that made the verdict.
    public var findings: [String]
    /// The signature database version that made the verdict; empty when unknown.
    public var signatureVersion: String
    /// The mail host that quarantined it; empty: the store fills in its own host name.
    public var host: String

    /// An entry to store; every field is as the daemon saw it.
    public init(
        receivedAt: Date = Date(), queueID: String = "", clientAddress: String = "", clientHelo: String = "",
        sender: EnvelopeAddress, recipients: [EnvelopeAddress], subject: String = "",
        verdict: String, findings: [String] = [], signatureVersion: String = "", host: String = ""
    ) {
        self.receivedAt = receivedAt
        self.queueID = queueID
        self.clientAddress = clientAddress
        self.clientHelo = clientHelo
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.verdict = verdict
        self.findings = findings
        self.signatureVersion = signatureVersion
        self.host = host
    }
}

/// One release attempt: who asked, where it went, and what the relay (or postsuper) answered.
public struct ReleaseRecord: Sendable, Equatable, Codable {
    /// When the attempt finished.
    public var at: Date
    /// The login name of whoever released it.
    public var by: String
    /// The recipients it was sent to.
    public var recipients: [String]
    /// `HOST:PORT` of the relay, or `postsuper` for a hold-queue entry.
    public var relay: String
    /// The relay's last reply (or postsuper's output).
    public var reply: String
    /// Whether the relay accepted the message.
    public var delivered: Bool

    /// A record of one attempt.
    public init(at: Date, by: String, recipients: [String], relay: String, reply: String, delivered: Bool) {
        self.at = at
        self.by = by
        self.recipients = recipients
        self.relay = relay
        self.reply = reply
        self.delivered = delivered
    }

    enum CodingKeys: String, CodingKey {
        case at, by, recipients, relay, reply, delivered
    }
}

/// One entry of the store, as listed and shown.
public struct QuarantineEntry: Sendable, Codable {
    /// The entry's id.
    public var id: QuarantineID
    /// When the message arrived.
    public var receivedAt: Date
    /// Postfix's queue id.
    public var queueID: String
    /// The client's IP address.
    public var clientAddress: String
    /// The client's HELO name.
    public var clientHelo: String
    /// The envelope sender.
    public var sender: EnvelopeAddress
    /// The envelope recipients.
    public var recipients: [EnvelopeAddress]
    /// The Subject header.
    public var subject: String
    /// The message size in bytes.
    public var size: Int
    /// SHA-256 of the stored message, lowercase hex; empty for hold entries.
    public var sha256: String
    /// The verdict that kept it back.
    public var verdict: String
    /// Virus names or banned rule names.
    public var findings: [String]
    /// Stored copy or Postfix hold queue.
    public var action: QuarantineAction
    /// Where the entry stands.
    public var status: EntryStatus
    /// Why it last changed status (a relay's refusal, a rescan's finding); empty when nothing to say.
    public var statusReason: String
    /// When the status last changed.
    public var statusChangedAt: Date
    /// The signature database version that made the verdict.
    public var signatureVersion: String
    /// For hold entries: the Postfix configuration directory `postsuper -c` needs; nil for the default.
    public var postfixConfigDirectory: String?
    /// The mail host that quarantined it (empty for entries from before hosts were recorded).
    public var host: String
    /// Every release attempt, oldest first.
    public var releases: [ReleaseRecord]

    /// An entry as a backend reads it back.
    public init(
        id: QuarantineID, receivedAt: Date, queueID: String, clientAddress: String, clientHelo: String, sender: EnvelopeAddress,
        recipients: [EnvelopeAddress], subject: String, size: Int, sha256: String, verdict: String, findings: [String],
        action: QuarantineAction, status: EntryStatus, statusReason: String, statusChangedAt: Date, signatureVersion: String,
        postfixConfigDirectory: String?, host: String, releases: [ReleaseRecord]
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.queueID = queueID
        self.clientAddress = clientAddress
        self.clientHelo = clientHelo
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.size = size
        self.sha256 = sha256
        self.verdict = verdict
        self.findings = findings
        self.action = action
        self.status = status
        self.statusReason = statusReason
        self.statusChangedAt = statusChangedAt
        self.signatureVersion = signatureVersion
        self.postfixConfigDirectory = postfixConfigDirectory
        self.host = host
        self.releases = releases
    }

    enum CodingKeys: String, CodingKey {
        case id
        case receivedAt = "received_at"
        case queueID = "queue_id"
        case clientAddress = "client_address"
        case clientHelo = "client_helo"
        case sender, recipients, subject, size, sha256, verdict, findings, action, status
        case statusReason = "status_reason"
        case statusChangedAt = "status_changed_at"
        case signatureVersion = "signature_version"
        case postfixConfigDirectory = "postfix_config_directory"
        case host, releases
    }
}
