/// One entity of a parsed message: its header facts, where it lies in the raw bytes, its
/// children, and its defects. Its content is decoded only when asked (`decoded()`, `decode(...)`).
public struct MIMEPart: Sendable {
    /// Where a part came from.
    public enum Origin: Sendable, Hashable {
        /// A MIME entity (header and body) of the message.
        case entity
        /// A uuencoded block found inside a text body (`begin 644 name` ... `end`).
        case uuencodedBlock
    }

    /// IMAP-style section number: "1", "1.2", "2.1.3". The root of a single-part message is "1";
    /// a multipart root is "" and its children are "1", "2"...; the body of an enclosed message
    /// at "2" is "2.1" (or, if multipart, its children are "2.1", "2.2"). Uuencoded blocks found in
    /// text part "1" are "1.u1", "1.u2".
    public let path: String
    /// The content type in force (the default one when the header is missing or invalid).
    public let contentType: ContentType
    /// The `charset` parameter, lowercased, if any.
    public let charset: String?
    /// The Content-Disposition type, lowercased (`inline`, `attachment`), if the header exists.
    public let disposition: String?
    /// The file name: Content-Disposition `filename`, else Content-Type `name`; RFC 2231/2047
    /// decoded, directory components stripped. Suspicious characters are kept and flagged.
    public let filename: String?
    /// The transfer encoding, lowercased; "7bit" when the header is missing.
    public let transferEncoding: String
    /// The header block's bytes in the raw message (empty for a part without header).
    public let headerRange: Range<Int>
    /// The body's bytes in the raw message, before transfer decoding.
    public let bodyRange: Range<Int>
    /// Sub-parts: a multipart's parts, an enclosed message's entity, uuencoded blocks of a text.
    public let children: [MIMEPart]
    /// Oddities found in this part while parsing (decoding adds more, see `decode()`).
    public let defects: [MIMEDefect]
    /// Nesting depth: the root is 0.
    public let depth: Int
    /// Nil in the main reading; for an alternative reading, what differs ("boundary parameter 2").
    public let reading: String?
    /// Whether this is a MIME entity or a block found inside a text body.
    public let origin: Origin
    /// The whole message this part refers into.
    public let message: MessageBytes

    /// Raw header fields as byte ranges; strings are made only on request.
    let fields: [RawHeaderField]
    /// The per-part decoded-size limit in force when the message was parsed.
    let decodeLimit: Int

    /// Whether this part is content rather than a container: no children, or only uuencoded
    /// blocks found inside its text (every leaf is scanned).
    public var isLeaf: Bool { children.allSatisfy { $0.origin == .uuencodedBlock } }

    /// The raw body bytes, without copying.
    public var body: ByteView { message[bodyRange] }

    /// The raw header block bytes, without copying.
    public var header: ByteView { message[headerRange] }
}

/// A header field as byte ranges into the message: the name (trimmed) and the raw value
/// (after the colon, folding included, final line break excluded).
struct RawHeaderField: Sendable, Hashable {
    let name: Range<Int>
    let value: Range<Int>
}
