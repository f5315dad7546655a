import ClamAV
public import Foundation

/// One signed database of a set: what `update` installed and `status` shows.
public struct DatabaseVersion: Sendable, Equatable, Codable {
    /// The database name, e.g. "daily".
    public var name: String
    /// Its version.
    public var version: Int
    /// Signatures it declares.
    public var signatures: Int
    /// When ClamAV built it.
    public var buildTime: Date

    /// The signed databases in `directory`, from their headers.
    static func all(in directory: String) -> [DatabaseVersion] {
        DatabaseInfo.signedDatabases(in: directory).map {
            DatabaseVersion(name: $0.name, version: $0.version, signatures: $0.signatures, buildTime: $0.buildTime)
        }
    }
}

/// What an update or rollback did; `--json` prints it (stable keys).
public struct UpdateReport: Sendable, Equatable, Codable {
    /// How it ended.
    public enum Outcome: String, Sendable, Codable {
        /// A new set was tested and installed.
        case updated
        /// Every database was already current; nothing was installed.
        case current
        /// Dry run: a new set was downloaded and passed its tests, but was not installed.
        case tested
        /// The previous set was tested and installed again.
        case rolledBack = "rolled-back"
    }

    /// How it ended.
    public var outcome: Outcome
    /// The live database directory.
    public var databaseDirectory: String
    /// Files new or replaced (for a dry run: that would be).
    public var changed: [String]
    /// Files removed (for a dry run: that would be).
    public var removed: [String]
    /// The signed databases of the live set afterwards (for a dry run: of the candidate set).
    public var databases: [DatabaseVersion]
    /// Signatures the tested set loaded, when a set was loaded.
    public var signatureCount: Int?
    /// The canary run, when one ran.
    public var canary: Canary.Report?

    /// One line for the administrator, e.g. "updated test.cld: test 6; 14 signatures".
    public var summary: String {
        let versions = databases.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
        let set = versions.isEmpty ? "" : " (\(versions))"
        switch outcome {
        case .current:
            return "already current\(set)"
        case .updated, .tested, .rolledBack:
            var parts = [String]()
            if !changed.isEmpty { parts.append("new " + changed.joined(separator: ", ")) }
            if !removed.isEmpty { parts.append("removed " + removed.joined(separator: ", ")) }
            if let signatureCount { parts.append("\(signatureCount) signatures loaded") }
            if let canary { parts.append("canary: \(canary.cleanMessages) clean" + (canary.eicarDetectedAs == nil ? "" : ", EICAR detected")) }
            let verb = outcome == .updated ? "updated" : outcome == .tested ? "dry run: would install" : "rolled back to the previous set"
            return verb + set + (parts.isEmpty ? "" : ": " + parts.joined(separator: "; "))
        }
    }
}
