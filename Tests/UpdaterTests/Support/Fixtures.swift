import Foundation
import Updater
import Logging

/// ClamAV's signed test databases (versions 1–6 of database `test`, and the cdiffs between
/// them), read in place from where `scripts/test-cvd/fetch.sh` put them (`.cache/clamav-test-cvd`)
/// and copied only into temporary folders. `SCANMILTER_TEST_CVD_DIR` points elsewhere.
enum Fixtures {
    static let directory: String = {
        if let override = ProcessInfo.processInfo.environment["SCANMILTER_TEST_CVD_DIR"], !override.isEmpty {
            return override
        }
        // Tests/UpdaterTests/Support/Fixtures.swift → the package root → .cache/...
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".cache/clamav-test-cvd").path
    }()

    static func path(_ name: String) throws -> String {
        let file = directory + "/" + name
        guard FileManager.default.fileExists(atPath: file) else {
            throw TestFailure("ClamAV test database \(file) is missing: run scripts/test-cvd/fetch.sh or set SCANMILTER_TEST_CVD_DIR")
        }
        return file
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(name)))
    }
}

/// A temporary folder for one test, removed when the value goes away.
final class Scratch {
    let root: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("updater-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Creates (if needed) and returns the folder `name` inside the scratch folder.
    func folder(_ name: String) throws -> String {
        let folder = root + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A database folder holding test database `version` as test.cvd (what freshclam installs).
    func installed(version: Int, in name: String = "db") throws -> String {
        let folder = try folder(name)
        try Fixtures.data("test-\(version).cvd").write(to: URL(fileURLWithPath: folder + "/test.cvd"))
        return folder
    }

    /// A mirror folder serving `version` as test.cvd plus every cdiff up to it.
    func mirror(version: Int, name: String = "mirror") throws -> String {
        let folder = try folder(name)
        try Fixtures.data("test-\(version).cvd").write(to: URL(fileURLWithPath: folder + "/test.cvd"))
        for patch in 2...version {
            try Fixtures.data("test-\(patch).cdiff").write(to: URL(fileURLWithPath: folder + "/test-\(patch).cdiff"))
        }
        return folder
    }
}

/// Writes `text` to `file`.
func write(_ text: String, to file: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: file))
}

/// Flips one byte of `file` (a tampered download).
func tamper(_ file: String, at offset: Int) throws {
    var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    let index = offset >= 0 ? offset : bytes.count + offset
    bytes[index] ^= 0xFF
    try bytes.write(to: URL(fileURLWithPath: file))
}

/// The bytes of `file`, to prove a file was left untouched.
func contents(_ file: String) -> Data? {
    FileManager.default.contents(atPath: file)
}

/// An updater for `database` that fetches database `test` from `mirror` only: the DNS check is
/// off and no URL points beyond 127.0.0.1.
func testUpdater(database: String, mirror: MirrorServer?, customURLs: [String] = [], canary: String = "") -> SignatureUpdater {
    let configuration = UpdaterConfiguration(
        databaseDirectory: database,
        databases: mirror == nil ? [] : ["test"],
        // A closed port when there is no mirror, so nothing ever goes to the official one.
        privateMirrors: [mirror?.url ?? "http://127.0.0.1:9"],
        customURLs: customURLs,
        canaryDirectory: canary,
        dnsVersionCheck: false,
        maxAttempts: 1, connectTimeout: 5, requestTimeout: 10)
    return SignatureUpdater(configuration: configuration, logger: Logger(label: "updater-tests"))
}

/// A clean message for the canary folder, optionally carrying `text` in its body.
func cleanMessage(_ body: String = "Quarterly figures attached as discussed.") -> String {
    [
        "From: alice@example.org", "To: bob@example.org", "Subject: figures", "Message-ID: <1@example.org>",
        "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "", body, "",
    ].joined(separator: "\r\n")
}
