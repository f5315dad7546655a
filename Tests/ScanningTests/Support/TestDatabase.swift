import Foundation

/// Signature databases that the tests write themselves, so every scan test runs the real
/// libclamav (or clamd) on signatures whose every detail the test knows.
enum TestDatabase {
    /// The EICAR anti-virus test file (68 bytes), which every scanner detects.
    static let eicar = Array(#"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8)

    /// Names the generated signatures carry (libclamav appends `.UNOFFICIAL` to unsigned ones).
    static let eicarBodySignature = "Scanmilter.Test.EICAR.NDB"
    static let eicarHashSignature = "Scanmilter.Test.EICAR.HDB"
    /// A body signature for a marker string that no real file contains.
    static let markerSignature = "Scanmilter.Test.Marker.NDB"
    static let marker = Array("SCANMILTER-TEST-MARKER-7f3a9c".utf8)

    /// ClamAV's own signed test databases (versions 1-6 and their cdiffs), read in place from
    /// where `scripts/test-cvd/fetch.sh` put them (`.cache/clamav-test-cvd`), or from
    /// `SCANMILTER_TEST_CVD_DIR`.
    static let officialFixtures: URL = {
        if let override = ProcessInfo.processInfo.environment["SCANMILTER_TEST_CVD_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // ScanningTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent(".cache/clamav-test-cvd")
    }()

    /// Writes a database directory with an EICAR body signature, an EICAR hash signature and the
    /// marker signature, plus `extra` files (name → contents), and returns its path.
    static func make(in parent: URL, extra: [String: String] = [:]) throws -> URL {
        let dir = parent.appendingPathComponent("db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        // A body signature on the middle of the EICAR string, anywhere in any file type.
        let ndb = """
            \(eicarBodySignature):0:*:\(hex(Array("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8)))
            \(markerSignature):0:*:\(hex(marker))

            """
        try ndb.write(to: dir.appendingPathComponent("scanmilter-test.ndb"), atomically: true, encoding: .utf8)
        // md5:size:name of the exact 68-byte file.
        let hdb = "44d88612fea8a8f36de82e1278abb02f:68:\(eicarHashSignature)\n"
        try hdb.write(to: dir.appendingPathComponent("scanmilter-test.hdb"), atomically: true, encoding: .utf8)
        for (name, contents) in extra {
            try contents.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// A fresh temporary directory for one test, removed by the caller with `removeItem`.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanmilter-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
