import Checksum
public import Foundation
public import MIME
import Synchronization

/// Messages that killed scan workers, by the SHA-256 of their body, for a day.
///
/// A message that crashes a parser is temp-failed, and Postfix (or the sender's MTA) retries
/// it: without this, every retry kills another worker until the message expires days later.
/// After ``limit`` crashes within ``window`` the message is no longer scanned at all: the
/// policy quarantines it (or rejects it where there is no store) as a scanner crash. Kept in
/// memory: the milter survives its workers' crashes, and a restart forgives.
public final class PoisonRegistry: Sendable {
    /// Crashes within the window after which a message is not scanned again.
    public let limit: Int
    /// How long a crash counts.
    public let window: TimeInterval
    /// Fingerprints kept at most; the oldest go first.
    static let capacity = 10_000

    private let crashes = Mutex<[String: [Date]]>([:])

    public init(limit: Int = 2, window: TimeInterval = 86_400) {
        self.limit = limit
        self.window = window
    }

    /// Whether no crash is on record: then no message needs its fingerprint taken.
    public var isEmpty: Bool {
        crashes.withLock { $0.isEmpty }
    }

    /// The SHA-256 of the message's body (everything after the header block), lowercase hex:
    /// a retry of the same message carries a new Received header and queue id, but the same
    /// body, and the body is what crashed a parser.
    public static func fingerprint(_ message: MessageBytes) -> String {
        message.withUnsafeBytes { bytes in
            var hasher = SHA256()
            hasher.update(buffer: UnsafeRawBufferPointer(rebasing: bytes[bodyStart(bytes)...]))
            return hasher.finalize().hexString
        }
    }

    /// Where the body starts: after the first empty line (CRLF CRLF or LF LF); 0 when there is none.
    static func bodyStart(_ bytes: UnsafeRawBufferPointer) -> Int {
        var index = 0
        var lineStart = true
        while index < bytes.count {
            let byte = bytes[index]
            if lineStart {
                if byte == 0x0A { return index + 1 }
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { return index + 2 }
            }
            lineStart = byte == 0x0A
            index += 1
        }
        return 0
    }

    /// Crashes on record for `fingerprint` within the window.
    public func crashes(of fingerprint: String, now: Date = Date()) -> Int {
        crashes.withLock { table in
            let recent = (table[fingerprint] ?? []).filter { now.timeIntervalSince($0) < window }
            table[fingerprint] = recent.isEmpty ? nil : recent
            return recent.count
        }
    }

    /// Records one crash of `fingerprint`; returns how many are now on record.
    @discardableResult
    public func record(_ fingerprint: String, now: Date = Date()) -> Int {
        crashes.withLock { table in
            var recent = (table[fingerprint] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            table[fingerprint] = recent
            if table.count > Self.capacity {
                // Forget the fingerprints whose last crash is oldest.
                let oldest = table.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
                for (key, _) in oldest.prefix(table.count - Self.capacity) { table[key] = nil }
            }
            return recent.count
        }
    }
}
