import Foundation
import Synchronization
import Logging
import Postgres
import Quarantine
import QuarantinePostgres
import Testing

/// A private PostgreSQL cluster started by scripts/lib/postgres-cluster.sh (initdb in a
/// temporary directory, 127.0.0.1 on a free port, SCRAM passwords). One is shared by the
/// tests of a run, each test in a database of its own; tests that stop the server start their own.
final class PostgresCluster: Sendable {
    let directory: String
    let port: Int
    let passwordFile: String

    /// The script, found from this file's place in the repository (inside this repository, never outside it).
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/lib/postgres-cluster.sh").path

    /// Starts a new cluster; it removes itself when this test process ends, even if killed.
    static func start() throws -> PostgresCluster {
        let directory = NSTemporaryDirectory() + "/scanmilter-pg-" + UUID().uuidString.prefix(8)
        try run(["start", directory, String(getpid())])
        let environment = try String(contentsOfFile: directory + "/cluster.env", encoding: .utf8)
        var values: [String: String] = [:]
        for line in environment.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let portText = values["PG_PORT"], let port = Int(portText), let passwordFile = values["PG_PASSWORD_FILE"] else {
            throw QuarantineError(.io, "cluster.env in \(directory) is incomplete")
        }
        return PostgresCluster(directory: directory, port: port, passwordFile: passwordFile)
    }

    private init(directory: String, port: Int, passwordFile: String) {
        self.directory = directory
        self.port = port
        self.passwordFile = passwordFile
    }

    /// The cluster the tests of this run share, started on first use.
    private static let shared: Result<PostgresCluster, any Error> = {
        let result = Result { try PostgresCluster.start() }
        if case .success(let cluster) = result { sharedDirectory.withLock { $0 = cluster.directory } }
        // Not PostgresCluster.shared itself: this runs while it is being initialised.
        atexit { PostgresCluster.destroy(directory: PostgresCluster.sharedDirectory.withLock { $0 }) }
        return result
    }()
    private static let sharedDirectory = Mutex<String?>(nil)

    static func sharedCluster() throws -> PostgresCluster { try shared.get() }

    /// A URI for `database` as the test role (the password is in ``passwordFile``).
    func uri(_ database: String = "quarantine") -> String {
        "postgresql://scanmilter@127.0.0.1:\(port)/\(database)"
    }

    /// The test role's password.
    var password: String {
        (try? String(contentsOfFile: passwordFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A new, empty database of the test role; returns its name.
    func createDatabase() throws -> String {
        let name = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try Self.run(["createdb", directory, name])
        return name
    }

    /// Connection options for `database`.
    func options(_ database: String, timeout: Double = 5) -> PostgresOptions {
        PostgresOptions(uri: uri(database), password: password, timeout: timeout, applicationName: "scanmilter-tests")
    }

    func stop() throws { try Self.run(["stop", directory]) }
    func restart() throws { try Self.run(["restart", directory]) }
    func destroy() { Self.destroy(directory: directory) }

    private static func destroy(directory: String?) {
        guard let directory else { return }
        try? run(["destroy", directory])
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw QuarantineError(.io, "postgres-cluster.sh \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}

/// The two stores the behaviour suites run against.
enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case local
    case postgres

    var testDescription: String { rawValue }
}

/// A store of either kind, with what it lives in kept alive as long as it.
final class StoreUnderTest {
    let store: QuarantineStore
    let kind: BackendKind
    /// For the local store: its directory.
    let directory: TemporaryDirectory?
    /// For the shared store: its database.
    let database: String?

    init(_ kind: BackendKind, hostName: String = "mx1.test", postsuper: String = "/usr/sbin/postsuper") throws {
        self.kind = kind
        switch kind {
        case .local:
            let directory = try TemporaryDirectory()
            self.directory = directory
            database = nil
            store = QuarantineStore(
                backend: try LocalQuarantineBackend(directory: directory.store, logger: Fixtures.logger), logger: Fixtures.logger,
                hostName: hostName, postsuperPath: postsuper)
        case .postgres:
            let cluster = try PostgresCluster.sharedCluster()
            let database = try cluster.createDatabase()
            _ = try PostgresQuarantineSchema.migrate(cluster.options(database), logger: Fixtures.logger)
            self.database = database
            directory = nil
            store = QuarantineStore(
                backend: try PostgresQuarantineBackend(options: cluster.options(database), logger: Fixtures.logger), logger: Fixtures.logger,
                hostName: hostName, postsuperPath: postsuper)
        }
    }

    /// A second store on the same entries, as another host (or another CLI) would open it.
    func another(hostName: String) throws -> QuarantineStore {
        switch kind {
        case .local:
            guard let directory else { throw QuarantineError(.io, "no directory") }
            return QuarantineStore(backend: try LocalQuarantineBackend(directory: directory.store, logger: Fixtures.logger), logger: Fixtures.logger, hostName: hostName)
        case .postgres:
            guard let database else { throw QuarantineError(.io, "no database") }
            let cluster = try PostgresCluster.sharedCluster()
            return QuarantineStore(
                backend: try PostgresQuarantineBackend(options: cluster.options(database), logger: Fixtures.logger), logger: Fixtures.logger,
                hostName: hostName)
        }
    }

    /// Runs SQL on the shared store's database as an administrator editing it by hand would.
    func sql(_ statement: String, _ parameters: [PostgresValue] = []) throws {
        guard let database else { throw QuarantineError(.io, "not a shared store") }
        let pool = PostgresPool(try PostgresCluster.sharedCluster().options(database))
        defer { pool.close() }
        try pool.withConnection { _ = try $0.query(statement, parameters) }
    }
}
