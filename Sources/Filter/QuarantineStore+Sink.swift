import Foundation
public import Quarantine

/// The daemon's quarantine is the Quarantine module's store.
extension QuarantineStore: QuarantineSink {
    public func store(_ message: QuarantinedMessage) throws -> String {
        let raw = message.raw.copyBytes(0..<message.raw.count)
        return try store(message: .bytes(raw), entry: Self.entry(message)).description
    }

    public func recordHold(_ message: QuarantinedMessage) throws -> String {
        try recordHold(entry: Self.entry(message), size: message.raw.count).description
    }

    public func applyRetention(maxAge: Double, maxBytes: Int) throws -> String {
        let report = try purge(maxAge: maxAge, maxBytes: maxBytes)
        guard report.ran else { return "skipped: another daemon sharing the store is applying it" }
        return "\(report.removed.count) entries, \(report.bytes) bytes purged"
    }

    static func entry(_ message: QuarantinedMessage) -> NewEntry {
        let recipients = zip(message.recipients, message.recipientParameters).map { EnvelopeAddress($0, parameters: $1) }
        return NewEntry(
            queueID: message.queueID, clientAddress: message.clientAddress, clientHelo: message.helo,
            sender: EnvelopeAddress(message.sender, parameters: message.senderParameters), recipients: recipients,
            subject: message.subject, verdict: message.verdict, findings: message.names,
            signatureVersion: message.databaseVersion)
    }
}
