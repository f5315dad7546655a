internal import CClamAV
public import Foundation

/// What an engine loaded: the signature count and the signed databases' versions.
public struct DatabaseInfo: Sendable, Equatable, CustomStringConvertible {
    /// One signed database container (`.cvd` or `.cld`) found in the directory.
    public struct SignedDatabase: Sendable, Equatable {
        /// The database name, e.g. "daily".
        public var name: String
        /// Its version number.
        public var version: Int
        /// Signatures it declares.
        public var signatures: Int
        /// When it was built, from its header.
        public var buildTime: Date
    }

    /// The directory loaded.
    public var directory: String
    /// Signatures loaded, as `cl_load` counted them.
    public var signatureCount: Int
    /// The signed databases in the directory, by name.
    public var signedDatabases: [SignedDatabase]
    /// The version of the signature set: what libclamav recorded for `daily`
    /// (`CL_ENGINE_DB_VERSION`), else the primary signed database's; nil for custom files only.
    public var version: Int?
    /// When that version was built (`CL_ENGINE_DB_TIME`, else the primary database's header).
    public var buildTime: Date?

    /// The signed database that identifies the set: `daily` (it changes most often), else the
    /// most recently built one.
    public var primary: SignedDatabase? {
        signedDatabases.first { $0.name == "daily" } ?? signedDatabases.max { $0.buildTime < $1.buildTime }
    }

    /// A one-line summary for headers and logs, e.g. "daily 27450 (2026-11-24), 8712345 signatures".
    public var description: String {
        let day = Date.ISO8601FormatStyle().year().month().day()
        guard let primary else { return "custom, \(signatureCount) signatures" }
        return "\(primary.name) \(primary.version) (\(day.format(primary.buildTime))), \(signatureCount) signatures"
    }

    init(directory: String, signatureCount: Int, engine: OpaquePointer) {
        self.directory = directory
        self.signatureCount = signatureCount
        self.signedDatabases = Self.signedDatabases(in: directory)
        // libclamav records a version only while loading a database named daily.
        var error: Int32 = 0
        let version = cl_engine_get_num(engine, CL_ENGINE_DB_VERSION, &error)
        let recorded = error == 0 && version > 0
        let time = cl_engine_get_num(engine, CL_ENGINE_DB_TIME, &error)
        self.version = recorded ? Int(version) : nil
        self.buildTime = recorded && error == 0 && time > 0 ? Date(timeIntervalSince1970: TimeInterval(time)) : nil
        if !recorded, let primary {
            self.version = primary.version
            self.buildTime = primary.buildTime
        }
    }
}
