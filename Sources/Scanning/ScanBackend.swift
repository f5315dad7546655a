public import ErrorCodes
public import MIME

/// What a scan found. Outcomes are values; a failure to scan is a verdict too, so that no caller
/// can mistake "could not look" for "looked and found nothing".
public enum ScanVerdict: Sendable, Equatable {
    /// Scanned completely; no signature or heuristic matched.
    case clean
    /// One or more signatures or heuristics matched; every name, in the order the engine gave them.
    case infected([String])
    /// The content could not be scanned completely; the reason says why.
    case unscannable(UnscannableReason)
}

/// Why content could not be scanned.
public struct UnscannableReason: Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch with a default.
    public typealias Code = ErrorCode<UnscannableReason>

    /// The kind of failure.
    public var code: Code
    /// A human-readable detail for logs and replies.
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }
}

extension UnscannableReason.Code {
    /// A fixed size, file-count, nesting or recursion limit was reached: the same message
    /// reaches it again on every retry (a time limit is ``timeout``).
    public static var limitExceeded: Self { Self("limit") }
    /// An encrypted archive or document could not be opened.
    public static var encrypted: Self { Self("encrypted") }
    /// The engine reported an error for this content.
    public static var engineError: Self { Self("engine") }
    /// No backend could be reached (clamd down, engine not loaded).
    public static var backendUnavailable: Self { Self("unavailable") }
    /// The scan did not finish in time.
    public static var timeout: Self { Self("timeout") }
    /// The scan worker died or hung while scanning this content (a crash in a parser, a
    /// seccomp violation, a resource limit, a timeout): the same content may do it again.
    public static var workerCrashed: Self { Self("worker crashed") }
    /// Not scanned: this very message already killed scan workers twice within a day (a
    /// poison message); retrying would only crash them again.
    public static var scannerCrash: Self { Self("scanner crash") }
}

/// A scanner: the embedded libclamav engine or a pool of clamd servers. The rest of the code
/// talks to this protocol only and does not know which backend is behind it.
///
/// Calls are synchronous and may block (milter callbacks are synchronous); implementations are
/// safe to call from many threads at once.
public protocol ScanBackend: Sendable {
    /// Scans bytes held in memory.
    func scan(_ bytes: ArraySlice<UInt8>) -> ScanVerdict
    /// Scans an open file from its start to its end; the caller keeps ownership of the descriptor.
    func scan(fileDescriptor: Int32) -> ScanVerdict
    /// The signature set in use, e.g. "daily 27450 (2026-11-24), 8712345 signatures", for headers and logs.
    var databaseDescription: String { get }
    /// Scans a whole raw message as plain bytes, leaving its MIME parts to the caller, who scans
    /// each decoded part itself; a backend that cannot switch its mail decoding off scans fully.
    func scanRawMessage(_ bytes: ArraySlice<UInt8>) -> ScanVerdict
    /// Scans a whole message where it lies (in memory or a mapped temp file), with or without the
    /// backend's mail decoding; the embedded engine reads it in place, without a copy.
    func scan(message: MessageBytes, decodingMail: Bool) -> ScanVerdict
    /// Whether one message's scans should run side by side: true when a scan mostly waits on
    /// another host (clamd), false when it is this host's CPU (the embedded engine), where more
    /// threads than cores only add memory.
    var prefersParallelScans: Bool { get }
}

extension ScanBackend {
    /// The default: one scan after another, on the caller's thread.
    public var prefersParallelScans: Bool { false }

    /// The default: a full scan, mail decoding included (what clamd's INSTREAM does).
    public func scanRawMessage(_ bytes: ArraySlice<UInt8>) -> ScanVerdict {
        scan(bytes)
    }

    /// The default copies the message once and scans the copy.
    public func scan(message: MessageBytes, decodingMail: Bool) -> ScanVerdict {
        let bytes = message.copyBytes(0..<message.count)
        return decodingMail ? scan(bytes[...]) : scanRawMessage(bytes[...])
    }
}
