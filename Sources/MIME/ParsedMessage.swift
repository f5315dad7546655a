/// The result of parsing one message: the part tree, its leaves in document order, the leaves
/// seen only under other plausible readings, and every defect.
public struct ParsedMessage: Sendable {
    /// The top entity (path "1" for a single-part message, "" for a multipart one).
    public let root: MIMEPart
    /// Every content part (see `MIMEPart.isLeaf`) in document order; enclosed messages are
    /// descended into, and uuencoded blocks follow the text part they were found in.
    public var leaves: [MIMEPart]
    /// Leaves that exist only under another plausible reading of an ambiguous message (another
    /// boundary parameter, Content-Type or transfer encoding, another file name). Empty for
    /// unambiguous mail. Each has `reading` set; scan them too.
    public var alternativeLeaves: [MIMEPart]
    /// The leaves of every reading: what a scanner must look at so no reading escapes it.
    public var leavesOfEveryReading: [MIMEPart] { leaves + alternativeLeaves }
    /// Every defect found while parsing: message-level and per-part, in document order.
    public var defects: [MIMEDefect]
    /// The limits the message was parsed under (decoding uses them too).
    public let limits: MIMEParser.Limits

    /// The bytes the main reading's ranges refer to: the message given, or for a message with
    /// CR-only line ends (defect `BareCarriageReturnLineEnds`) a copy with LF line ends.
    public var message: MessageBytes { root.message }

    /// Every part of the main reading in document order (pre-order), without recursion.
    public var allParts: [MIMEPart] {
        var result: [MIMEPart] = []
        var stack: [MIMEPart] = [root]
        while let part = stack.popLast() {
            result.append(part)
            stack.append(contentsOf: part.children.reversed())
        }
        return result
    }

    /// The part with section number `path` in the main reading, if any.
    public func part(at path: String) -> MIMEPart? {
        allParts.first { $0.path == path }
    }

    /// A budget that enforces `limits.maxDecodedBytesTotal` across decodes of this message's parts.
    public func makeDecodingBudget() -> DecodingBudget {
        DecodingBudget(remaining: limits.maxDecodedBytesTotal)
    }
}

/// How many decoded bytes may still be produced for one message; pass it to `MIMEPart.decode`.
public struct DecodingBudget: Sendable, Hashable {
    /// Bytes left before decoding stops with `DecodedSizeLimitExceeded`.
    public internal(set) var remaining: Int

    /// A budget of `remaining` bytes.
    public init(remaining: Int) {
        self.remaining = max(0, remaining)
    }
}
