import Foundation

/// clamd's answers to INSTREAM turned into verdicts.
///
/// With the `z` command prefix every reply ends in a NUL (clamd(8), "COMMANDS"). INSTREAM answers
/// `stream: OK`, `stream: <signature> FOUND`, `INSTREAM size limit exceeded. ERROR` when the
/// stream passes StreamMaxLength, or `<reason> ERROR` when the scan itself failed. In an
/// IDSESSION every reply is prefixed with its request number (`3: stream: OK`).
enum ClamdReply {
    /// The verdict a scan reply stands for; throws when the reply is not a scan result at all,
    /// which says the server is confused rather than the content unscannable.
    static func verdict(_ reply: String, endpoint: String) throws(ClamdError) -> ScanVerdict {
        if reply.hasSuffix(" FOUND") {
            let body = reply.dropLast(" FOUND".count)
            // Signature names contain no ": ", so the name is whatever follows the last one.
            let name = body.range(of: ": ", options: .backwards).map { body[$0.upperBound...] } ?? body[...]
            return .infected([String(name)])
        }
        if reply == "stream: OK" || reply.hasSuffix(": stream: OK") {
            return .clean
        }
        if reply.contains("size limit exceeded") {
            return .unscannable(UnscannableReason(.limitExceeded, "clamd \(endpoint): \(reply)"))
        }
        if reply.hasSuffix(" ERROR") {
            // "stream: <reason> ERROR" is libclamav failing on this content. Other errors are the
            // server's own trouble ("cli_gentempfd() failed.", "Temporary file -> write",
            // "read timeout"): another server may well succeed.
            guard reply.hasPrefix("stream: ") || reply.contains(": stream: ") else {
                throw ClamdError(.serverError, endpoint: endpoint, message: String(reply.prefix(200)))
            }
            return .unscannable(UnscannableReason(.engineError, "clamd \(endpoint): \(reply)"))
        }
        // "COMMAND READ TIMED OUT", "UNKNOWN COMMAND" and anything else: the exchange failed.
        throw ClamdError(.protocolViolation, endpoint: endpoint, message: "unexpected reply \"\(reply.prefix(200))\"")
    }
}
