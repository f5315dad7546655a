/// A failure while talking to a milter: what went wrong (`code`) and a sentence naming it.
///
/// Protocol violations by the peer, timeouts and socket failures all end the connection:
/// after any error except `.invalidArgument` the `MilterConnection` is closed.
public struct MilterClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible, compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A stable lower-camel-case name of the kind, for logs and JSON.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The socket spec (`unix:/path`, `inet:PORT@HOST`, ...) could not be parsed.
        public static let invalidSocketSpec = Code("invalidSocketSpec")
        /// The host name did not resolve, or connecting to the milter's socket failed.
        public static let connectFailed = Code("connectFailed")
        /// The milter did not answer (or accept our data) within the timeout.
        public static let timeout = Code("timeout")
        /// The milter closed the connection, possibly in the middle of a packet.
        public static let peerClosed = Code("peerClosed")
        /// A packet is shorter than its command needs (no command byte, missing NUL, short integer).
        public static let truncatedPacket = Code("truncatedPacket")
        /// A packet announces a length above `Options.maximumPacketSize`; it is not read.
        public static let oversizedPacket = Code("oversizedPacket")
        /// A response letter this protocol version does not define.
        public static let unknownResponse = Code("unknownResponse")
        /// A defined response that is not allowed at this point of the conversation.
        public static let unexpectedResponse = Code("unexpectedResponse")
        /// An SMFIR_REPLYCODE packet whose text is not an SMTP reply (no code, mixed codes, CR or NUL).
        public static let invalidReply = Code("invalidReply")
        /// The milter's option negotiation reply was unusable (wants what we did not offer).
        public static let negotiationFailed = Code("negotiationFailed")
        /// An argument cannot be encoded (a NUL inside a string, a chunk too large); nothing was sent.
        public static let invalidArgument = Code("invalidArgument")
        /// The connection is not ready for this call: not negotiated yet, or already closed.
        public static let notReady = Code("notReady")
        /// A system call on the socket failed.
        public static let ioFailed = Code("ioFailed")

        /// The name of the kind.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// A sentence for humans naming what failed.
    public let message: String
    /// The `errno` behind the failure, when a system call failed.
    public let systemError: Int32?

    /// Creates an error; `systemError` is the `errno` when a system call failed.
    public init(_ code: Code, _ message: String, systemError: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemError = systemError
    }

    /// The code, the message and the errno when there is one.
    public var description: String {
        if let systemError {
            return "\(code): \(message) (errno \(systemError))"
        }
        return "\(code): \(message)"
    }
}
