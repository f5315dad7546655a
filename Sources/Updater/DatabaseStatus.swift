import ClamAV
import Foundation

/// What is installed in a database directory, read without building an engine: the signed
/// databases' versions and ages, the signature count, the previous set, and the last update.
public struct DatabaseStatus: Sendable, Equatable, Codable {
    /// The live database directory.
    public var directory: String
    /// Its signed databases.
    public var databases: [DatabaseVersion]
    /// Every signature file of the live set.
    public var files: [String]
    /// Signatures counted in the set (`cl_countsigs`), or nil when counting failed.
    public var signatureCount: Int?
    /// Why the set could not be counted, if it could not.
    public var problem: String?
    /// Files of the previous set kept for `update --rollback` (empty: none).
    public var previousFiles: [String]
    /// The last update and its outcome, if one ran.
    public var lastUpdate: UpdateState?

    /// Reads the status of `directory`.
    public static func read(directory: String) -> DatabaseStatus {
        let layout = DatabaseLayout(directory: directory)
        var status = DatabaseStatus(
            directory: directory, databases: DatabaseVersion.all(in: directory), files: [], signatureCount: nil,
            problem: nil, previousFiles: [], lastUpdate: UpdateState.read(from: layout.stateFile))
        do throws(UpdateError) {
            status.files = try DatabaseSet(directory: directory).names
        } catch {
            status.problem = error.message
            return status
        }
        status.previousFiles = (try? DatabaseSet(directory: layout.previous).names) ?? []
        do {
            status.signatureCount = try Engine.validateDatabase(directory: directory)
        } catch {
            status.problem = error.description
        }
        return status
    }
}
