public import Foundation
import StableJSON

/// The last update and its outcome, kept in ``DatabaseLayout/stateFile`` for `status`.
public struct UpdateState: Sendable, Equatable, Codable {
    /// When the last update or rollback ran.
    public var lastAttempt: Date
    /// How it ended: "updated", "current", "rolled-back" or "failed".
    public var outcome: String
    /// Its one-line summary or error.
    public var message: String
    /// The error code when it failed (see ``UpdateError/Code``).
    public var errorCode: String?
    /// When an update last succeeded (installed or found everything current).
    public var lastSuccess: Date?
    /// When a set was last installed (by an update or a rollback).
    public var lastInstall: Date?
    /// What the daemon answered to the reload after the last install.
    public var daemon: String?
    /// True while an installed set still waits for a confirmed daemon reload.
    public var reloadPending: Bool?

    /// Reads the state file, or nil when there is none or it is unreadable.
    public static func read(from file: String) -> UpdateState? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(UpdateState.self, from: data)
    }

    /// Writes the state file atomically (a temporary file renamed over it).
    public func write(to file: String) throws {
        let text = try StableJSONEncoder(sortedKeys: true, prettyPrinted: true).encode(self)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
