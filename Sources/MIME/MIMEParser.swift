/// A tolerant, bounded MIME parser (RFC 2045-2049, 2231, 2047, 5322): reads a message the way
/// mail clients do, records every oddity as a `MIMEDefect`, surfaces ambiguous readings, and
/// never throws, crashes, recurses or grows without bound on hostile input.
public struct MIMEParser: Sendable {
    /// The bounds every parse and decode keeps to.
    public let limits: Limits

    /// A parser with the given limits (the defaults suit a mail filter).
    public init(limits: Limits = .init()) {
        var bounded = limits
        bounded.maxDepth = min(max(0, limits.maxDepth), Limits.depthCeiling)
        bounded.maxParts = max(1, limits.maxParts)
        bounded.maxHeaderBytes = max(0, limits.maxHeaderBytes)
        bounded.maxHeaderFields = max(0, limits.maxHeaderFields)
        bounded.maxDecodedBytesPerPart = max(0, limits.maxDecodedBytesPerPart)
        bounded.maxDecodedBytesTotal = max(0, limits.maxDecodedBytesTotal)
        bounded.maxAlternativeReadings = max(0, limits.maxAlternativeReadings)
        self.limits = bounded
    }

    /// Parses `message`; problems become defects, never errors.
    public func parse(_ message: MessageBytes) -> ParsedMessage {
        message.withUnsafeBytes { raw in
            TreeBuilder(raw: raw, message: message, limits: limits).parseMessage()
        }
    }

    /// Parses bytes already in memory.
    public func parse(_ bytes: [UInt8]) -> ParsedMessage {
        parse(MessageBytes(bytes))
    }
}
