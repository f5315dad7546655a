import MilterProtocol

/// Sends a new message (a digest, a notice) over SMTP through the same client releases use.
public enum MailSubmission {
    /// Delivers `message` from `sender` to `recipients` through `relay` (`HOST:PORT`) and
    /// returns the relay's reply to the end of data; a refusal or a network failure throws
    /// `.io` with what the relay said.
    public static func send(
        _ message: [UInt8], from sender: String, to recipients: [String], relay: String, timeout: Double = 60, heloName: String? = nil
    ) throws(QuarantineError) -> String {
        guard let address = RelayAddress(relay) else {
            throw QuarantineError(.invalidArgument, "relay '\(relay)' is not HOST:PORT")
        }
        for recipient in recipients where !QuarantineStore.isPlausibleAddress(recipient) {
            throw QuarantineError(.invalidArgument, "'\(recipient)' is not an address")
        }
        let client = SMTPClient(relay: address, heloName: heloName ?? SMTPClient.localHostName(), timeout: timeout)
        do {
            return try client.deliver(message: message, sender: EnvelopeAddress(sender), recipients: recipients.map { EnvelopeAddress($0) }).description
        } catch {
            throw QuarantineError(.io, error.description)
        }
    }
}
