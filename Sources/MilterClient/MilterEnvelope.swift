/// The SMTP envelope of one message, and the macros to send at each stage of its transaction.
public struct MilterEnvelope: Sendable, Hashable {
    /// One recipient with its ESMTP parameters.
    public struct Recipient: Sendable, Hashable {
        /// The address, without angle brackets (they are added when sent).
        public var address: String
        /// ESMTP parameters such as `NOTIFY=NEVER`.
        public var parameters: [String]

        /// Creates a recipient.
        public init(_ address: String, parameters: [String] = []) {
            self.address = address
            self.parameters = parameters
        }
    }

    /// The sender address without angle brackets; empty for a bounce (`<>`).
    public var sender: String
    /// ESMTP parameters of MAIL FROM such as `SIZE=1000`.
    public var senderParameters: [String]
    /// The recipients in order.
    public var recipients: [Recipient]
    /// Macros sent before each stage (for example `[.endOfMessage: ["i": "4ABC"]]`).
    public var macros: [MacroStage: [String: String]]

    /// Creates an envelope.
    public init(
        sender: String,
        senderParameters: [String] = [],
        recipients: [Recipient],
        macros: [MacroStage: [String: String]] = [:]
    ) {
        self.sender = sender
        self.senderParameters = senderParameters
        self.recipients = recipients
        self.macros = macros
    }
}
