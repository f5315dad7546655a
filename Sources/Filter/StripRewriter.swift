import MIME

/// Builds the body of a message with some parts replaced by a short text notice (the `strip`
/// action): the part's own headers and body give way to a `text/plain` part saying what was
/// removed and why, so the rest of the message is delivered intact.
///
/// Works on byte ranges of the raw message (no re-encoding of the parts that stay), which keeps
/// every untouched byte, signatures of other parts included, as the sender wrote it.
enum StripRewriter {
    /// What `rewrite` produced.
    struct Rewrite: Equatable {
        /// The new body: everything after the top-level header block.
        var body: [UInt8]
        /// Top-level headers to replace when the whole message was one stripped part.
        var replaceTopLevelContentHeaders: Bool
        /// The paths actually replaced (nested paths under a replaced part are dropped).
        var replaced: [String]
    }

    /// Replaces the parts at `paths` of `message`; nil when a path is unknown.
    static func rewrite(_ message: ParsedMessage, paths: [String], notice: String) -> Rewrite? {
        var parts: [MIMEPart] = []
        for path in paths {
            guard let part = message.part(at: path) else { return nil }
            parts.append(part)
        }
        // Keep only outermost parts: replacing "2" already removes "2.1".
        let outermost = parts.filter { part in
            !parts.contains { other in other.path != part.path && !other.path.isEmpty && part.path.hasPrefix(other.path + ".") }
        }
        let raw = message.message
        let bodyStart = message.root.bodyRange.lowerBound
        let noticeBytes = Array(notice.utf8)
        if outermost.contains(where: { $0.path == message.root.path }) || outermost.contains(where: { $0.headerRange.lowerBound < bodyStart && $0.origin == .entity }) {
            // The stripped part is the message itself: its body becomes the notice and the
            // caller replaces the top-level Content-Type and Content-Transfer-Encoding.
            return Rewrite(body: noticeBytes, replaceTopLevelContentHeaders: true, replaced: [message.root.path])
        }
        let replacement = Array("Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8) + noticeBytes
        let ranges = outermost.map { part -> (Range<Int>, [UInt8]) in
            switch part.origin {
            case .entity:
                // Header block through the end of the body; the boundary line after it stays.
                return (part.headerRange.lowerBound..<part.bodyRange.upperBound, replacement)
            case .uuencodedBlock:
                return (part.bodyRange, noticeBytes)
            }
        }.sorted { $0.0.lowerBound < $1.0.lowerBound }
        var body: [UInt8] = []
        body.reserveCapacity(raw.count - bodyStart)
        var position = bodyStart
        for (range, bytes) in ranges where range.lowerBound >= position {
            body += raw.copyBytes(position..<range.lowerBound)
            body += bytes
            position = range.upperBound
        }
        body += raw.copyBytes(position..<raw.count)
        return Rewrite(body: body, replaceTopLevelContentHeaders: false, replaced: outermost.map(\.path))
    }

    /// The notice text for a stripped part.
    static func notice(for decision: Decision, hostname: String) -> String {
        """
        This attachment was removed by scanmilter on \(hostname).\r
        Reason: \(decision.statusText)\r
        Ask your mail administrator if you need the original.\r

        """
    }
}
