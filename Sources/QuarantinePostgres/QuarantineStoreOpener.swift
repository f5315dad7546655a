public import ScanmilterConfiguration
import Foundation
public import Logging
public import Postgres
public import Quarantine

/// Opens the quarantine store a configuration names: the local store in a directory, or the
/// shared store in PostgreSQL. The daemon and `scanmilterctl` both open stores here, so they
/// always agree on which store a configuration means.
public enum QuarantineStoreOpener {
    /// Where `[quarantine]` says the store is, and how to reach it.
    public struct Location: Sendable, Equatable {
        /// `[quarantine] store`: empty for the local store, or a `postgresql://` / `postgres://` URI.
        public var store: String
        /// `[quarantine] dir`: the local store's directory.
        public var directory: String
        /// `[quarantine] password_file`: a file whose first line is the database password (empty: libpq's own ways).
        public var passwordFile: String
        /// `[quarantine] store_timeout`: seconds a connection or statement may take.
        public var timeout: Double
        /// `[quarantine] host_name`: recorded with each entry (empty: this host's name).
        public var hostName: String

        public init(store: String = "", directory: String, passwordFile: String = "", timeout: Double = 10, hostName: String = "") {
            self.store = store
            self.directory = directory
            self.passwordFile = passwordFile
            self.timeout = timeout
            self.hostName = hostName
        }

        /// Where `[quarantine]` puts the store.
        public init(_ settings: QuarantineSettings) {
            self.init(
                store: settings.store, directory: settings.dir, passwordFile: settings.passwordFile, timeout: settings.storeTimeout,
                hostName: settings.hostName)
        }

        /// Whether this is the shared PostgreSQL store.
        public var isShared: Bool { QuarantineStoreOpener.isDatabaseURI(store) }

        /// What logs and errors name: the directory, or the URI without its password.
        public var description: String { isShared ? PostgresOptions.redacted(store) : directory }
    }

    /// Whether `text` is a PostgreSQL connection URI (what `[quarantine] store` accepts besides empty).
    public static func isDatabaseURI(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
    }

    /// The connection options for a shared store, with the password read from `passwordFile`.
    public static func options(_ location: Location, applicationName: String) throws(QuarantineError) -> PostgresOptions {
        guard isDatabaseURI(location.store) else {
            throw QuarantineError(.invalidArgument, "[quarantine] store must be empty or a postgresql:// URI, got '\(PostgresOptions.redacted(location.store))'")
        }
        var password: String?
        if !location.passwordFile.isEmpty {
            guard let data = FileManager.default.contents(atPath: location.passwordFile) else {
                throw QuarantineError(.invalidArgument, "[quarantine] password_file \(location.passwordFile) cannot be read")
            }
            password = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
        return PostgresOptions(uri: location.store, password: password, timeout: location.timeout, applicationName: applicationName)
    }

    /// Opens the store: the local one (created when missing if `createIfMissing`), or the shared
    /// one, whose schema must be this build's (`.schemaMismatch` otherwise; never migrated here).
    public static func open(
        _ location: Location, logger: Logger, createIfMissing: Bool, applicationName: String = "scanmilter"
    ) throws(QuarantineError) -> QuarantineStore {
        let hostName = location.hostName.isEmpty ? QuarantineStore.localHostName() : location.hostName
        if location.store.isEmpty {
            let backend = try LocalQuarantineBackend(directory: location.directory, logger: logger, createIfMissing: createIfMissing)
            return QuarantineStore(backend: backend, logger: logger, hostName: hostName)
        }
        let backend = try PostgresQuarantineBackend(options: try options(location, applicationName: applicationName), logger: logger)
        return QuarantineStore(backend: backend, logger: logger, hostName: hostName)
    }
}
