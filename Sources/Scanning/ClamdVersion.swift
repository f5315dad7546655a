public import Foundation

/// What a clamd server's `VERSION` reply says about the engine and its signatures.
///
/// clamd answers `ClamAV <engine>/<daily version>/<daily build time>` once a signed daily
/// database is loaded (`ClamAV 1.4.6/27480/Mon Dec  1 09:25:02 2025`), and only `ClamAV <engine>`
/// when it runs unsigned databases alone (clamd(8), "VERSION"). The time is `ctime(3)` output in
/// the server's local time zone, with no zone named; it is read in this process's zone, which
/// is the same one for a clamd on this host and rarely hours off for one elsewhere.
public struct ClamdVersion: Sendable, Hashable, CustomStringConvertible {
    /// The reply as clamd sent it.
    public var reply: String
    /// The engine's version, e.g. `1.4.6`.
    public var engine: String
    /// The daily database's version, when a signed one is loaded.
    public var signatureVersion: Int?
    /// When the daily database was built, when a signed one is loaded.
    public var buildTime: Date?

    /// Reads a VERSION reply; a reply that does not start with `ClamAV ` is no version at all.
    public init?(reply: String) {
        guard reply.hasPrefix("ClamAV ") else { return nil }
        let parts = reply.dropFirst("ClamAV ".count).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        self.reply = reply
        engine = String(parts[0])
        signatureVersion = parts.count > 1 ? Int(parts[1]) : nil
        buildTime = parts.count > 2 ? Self.ctime(String(parts[2])) : nil
    }

    /// `ClamAV 1.4.6, daily 27480 (Mon Dec  1 09:25:02 2025), via clamd`, for headers and logs.
    public var description: String {
        let parts = reply.split(separator: "/", maxSplits: 2).map(String.init)
        guard parts.count == 3 else { return "\(reply), via clamd" }
        return "\(parts[0]), daily \(parts[1]) (\(parts[2])), via clamd"
    }

    /// Parses `ctime(3)` text (`Mon Dec  1 09:25:02 2025`); the day is space-padded.
    static func ctime(_ text: String) -> Date? {
        let normalized = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        return formatter.date(from: normalized)
    }
}
