/// Sends one message of the daemon's own (a notification) through a relay over SMTP, with the
/// same client releases use (``SMTPClient``): one SMTP implementation in the project.
public struct MailSubmission: Sendable {
    /// The relay, `HOST:PORT`.
    public let relay: RelayAddress
    /// The name given in EHLO.
    public let heloName: String
    /// Seconds for the connection and each read and write.
    public let timeout: Double

    /// A submission through `relay`; nil when it is not `HOST:PORT`.
    public init?(relay: String, heloName: String? = nil, timeout: Double) {
        guard let address = RelayAddress(relay) else { return nil }
        self.relay = address
        self.heloName = heloName ?? SMTPClient.localHostName()
        self.timeout = timeout
    }

    /// Why a submission failed: the relay's reply, or what went wrong on the way.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Delivers `message` (headers and body, any line ends) from `sender` (empty: the null
    /// sender) to `recipients`; returns the relay's reply to the end of data.
    public func send(_ message: [UInt8], from sender: String, to recipients: [String], parameters: [String] = []) throws(Failure) -> String {
        let client = SMTPClient(relay: relay, heloName: heloName, timeout: timeout)
        do {
            let reply = try client.deliver(
                message: message, sender: EnvelopeAddress(sender, parameters: parameters), recipients: recipients.map { EnvelopeAddress($0) })
            return reply.description
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// One message through `relay` (`HOST:PORT`), as the web console sends digests: every
    /// recipient must look like an address; a refusal or a network failure throws `.io` with
    /// what the relay said.
    public static func send(
        _ message: [UInt8], from sender: String, to recipients: [String], relay: String, timeout: Double = 60, heloName: String? = nil
    ) throws(QuarantineError) -> String {
        guard let submission = MailSubmission(relay: relay, heloName: heloName, timeout: timeout) else {
            throw QuarantineError(.invalidArgument, "relay '\(relay)' is not HOST:PORT")
        }
        for recipient in recipients where !QuarantineStore.isPlausibleAddress(recipient) {
            throw QuarantineError(.invalidArgument, "'\(recipient)' is not an address")
        }
        do {
            return try submission.send(message, from: sender, to: recipients)
        } catch {
            throw QuarantineError(.io, error.description)
        }
    }
}
