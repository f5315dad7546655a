/// The outcome of one message sent with `MilterConnection.sendMessage`.
public struct MilterTransactionResult: Sendable, Hashable {
    /// A recipient the milter refused, and how.
    public struct RefusedRecipient: Sendable, Hashable {
        /// The address as given in the envelope.
        public var address: String
        /// The milter's answer to its RCPT TO.
        public var response: MilterResponse
    }

    /// Where the milter decided: the step whose answer ended the transaction.
    public enum Stage: String, Sendable, Hashable {
        case mail, recipient, data, header, endOfHeaders, body, endOfMessage
    }

    /// The answer that decided the message (at end of message: continue or accept let it through).
    public var response: MilterResponse
    /// The step that answered `response`.
    public var stage: Stage
    /// Every modification asked for at end of message (empty when the message ended earlier).
    public var modifications: [MilterModification]
    /// Recipients the milter refused one by one (the transaction goes on while any remains).
    public var refusedRecipients: [RefusedRecipient]
    /// True when a body chunk was answered with SKIP and the rest of the body was not sent.
    public var bodySkipped: Bool

    /// The replacement body, when the milter replaced it.
    public var replacedBody: [UInt8]? {
        MilterEndOfMessageResult(response: response, modifications: modifications).replacedBody
    }
}
