import ClamAV
import Foundation
import Testing
import Updater

extension LibfreshclamTests {
    /// Updates of a signed database from a private mirror on 127.0.0.1, with ClamAV's own signed
    /// test databases. Serialized: libfreshclam is process-global (one session at a time).
    @Suite struct SignedUpdateTests {
        @Test func privateMirrorBringsVersion3ToVersion6WithCdiffs() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))

            let report = try testUpdater(database: database, mirror: mirror).update()

            #expect(report.outcome == .updated)
            #expect(report.databases.map(\.version) == [6])
            // Patched incrementally: the three cdiffs were fetched, the full test.cvd only for its header.
            let requested = mirror.requestedPaths()
            #expect(requested.contains("/test-4.cdiff") && requested.contains("/test-5.cdiff") && requested.contains("/test-6.cdiff"))
            #expect(!requested.contains("/test-2.cdiff"))
            // A patched database becomes test.cld; the old test.cvd must not stay beside it.
            #expect(report.changed == ["test.cld"] && report.removed == ["test.cvd"])
            #expect(try databaseSetNames(database) == ["test.cld"])
            #expect(report.canary?.eicarDetectedAs?.contains("Eicar-Test-Signature") == true)
            // The installed set is what a fresh engine loads: version 6.
            #expect(try Engine(databaseDirectory: database).database.signedDatabases.map(\.version) == [6])
        }

        @Test func firstUpdateIntoAnEmptyDirectoryInstallsTheFullDatabase() throws {
            let scratch = try Scratch()
            let database = try scratch.folder("db")
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))

            let report = try testUpdater(database: database, mirror: mirror).update()

            #expect(report.outcome == .updated)
            #expect(report.changed == ["test.cvd"])
            #expect(contents(database + "/test.cvd") == (try Fixtures.data("test-6.cvd")))
        }

        @Test func secondUpdateFindsEverythingCurrent() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))
            let updater = testUpdater(database: database, mirror: mirror)
            _ = try updater.update()

            let second = try updater.update()

            #expect(second.outcome == .current)
            #expect(second.databases.map(\.version) == [6])
            #expect(UpdateState.read(from: updater.layout.stateFile)?.outcome == "current")
        }

        @Test func dryRunTestsTheNewSetButInstallsNothing() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let original = contents(database + "/test.cvd")
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))

            let report = try testUpdater(database: database, mirror: mirror).update(dryRun: true)

            #expect(report.outcome == .tested)
            #expect(report.databases.map(\.version) == [6])
            #expect(contents(database + "/test.cvd") == original)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        @Test func tamperedCdiffFallsBackToTheSignedFullDatabase() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let folder = try scratch.mirror(version: 6)
            try tamper(folder + "/test-5.cdiff", at: 100)
            let mirror = try MirrorServer(directory: folder)

            let report = try testUpdater(database: database, mirror: mirror).update()

            // libfreshclam refuses the patch (bad signature) and takes the signed test.cvd instead.
            #expect(report.databases.map(\.version) == [6])
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        /// Bad mirror contents: each is refused in one line and version 3 stays installed, byte for byte.
        @Test(arguments: BadMirror.allCases)
        func badSignedDownloadIsRefusedAndVersion3Stays(_ bad: BadMirror) throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let original = contents(database + "/test.cvd")
            let folder = try scratch.mirror(version: 6)
            try bad.apply(to: folder)
            let mirror = try MirrorServer(directory: folder)
            let updater = testUpdater(database: database, mirror: mirror)

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == bad.expectedCode, "\(error?.message ?? "")")
            #expect(error?.message.contains(bad.expectedReason) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("installed database unchanged") == true)
            #expect(error?.message.contains("\n") == false)
            #expect(contents(database + "/test.cvd") == original)
            #expect(try databaseSetNames(database) == ["test.cvd"])
            #expect(UpdateState.read(from: updater.layout.stateFile)?.errorCode == bad.expectedCode.name)
            #expect(try Engine(databaseDirectory: database).database.signedDatabases.map(\.version) == [3])
        }

        @Test func mirrorThatIsDownLeavesTheDatabaseAlone() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let original = contents(database + "/test.cvd")
            let closed = try freePort()
            var configuration = testUpdater(database: database, mirror: nil).configuration
            configuration.databases = ["test"]
            configuration.privateMirrors = ["http://127.0.0.1:\(closed)"]
            let updater = SignatureUpdater(configuration: configuration, logger: .init(label: "updater-tests"))

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == .mirrorUnavailable)
            #expect(error?.message.contains("127.0.0.1:\(closed)") == true)
            #expect(contents(database + "/test.cvd") == original)
        }

        @Test func rollbackRestoresThePreviousSetAndASecondRollbackUndoesIt() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let original = contents(database + "/test.cvd")
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))
            let updater = testUpdater(database: database, mirror: mirror)
            _ = try updater.update()

            let back = try updater.rollback()

            #expect(back.outcome == .rolledBack)
            #expect(back.databases.map(\.version) == [3])
            #expect(try databaseSetNames(database) == ["test.cvd"])
            #expect(contents(database + "/test.cvd") == original)
            #expect(try updater.rollback().databases.map(\.version) == [6])
        }

        @Test func rollbackWithoutAPreviousSetIsRefused() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let updater = testUpdater(database: database, mirror: nil)

            let error = #expect(throws: UpdateError.self) { try updater.rollback() }

            #expect(error?.code == .noPreviousSet)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        @Test func statusShowsTheNewVersionAndTheLastUpdate() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            #expect(DatabaseStatus.read(directory: database).databases.map(\.version) == [3])
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))
            _ = try testUpdater(database: database, mirror: mirror).update()

            let status = DatabaseStatus.read(directory: database)

            #expect(status.databases.map(\.version) == [6])
            #expect(status.files == ["test.cld"])
            #expect(status.signatureCount ?? 0 > 0)
            #expect(status.previousFiles == ["test.cvd"])
            #expect(status.lastUpdate?.outcome == "updated")
            #expect(status.lastUpdate?.reloadPending == true)
        }
    }
}

/// Ways a mirror serves a broken signed database.
enum BadMirror: String, CaseIterable, CustomTestStringConvertible {
    /// Every cdiff and the full test.cvd fail their signature.
    case tamperedCdiffsAndCVD
    /// test.cvd is cut short and there are no cdiffs.
    case truncatedCVD
    /// An HTML error page where test.cvd should be.
    case htmlErrorPage

    var testDescription: String { rawValue }

    func apply(to folder: String) throws {
        switch self {
        case .tamperedCdiffsAndCVD:
            for patch in 4...6 { try tamper(folder + "/test-\(patch).cdiff", at: 100) }
            try tamper(folder + "/test.cvd", at: -50)
        case .truncatedCVD:
            try removeCdiffs(folder)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/test.cvd"))
            try bytes.prefix(3000).write(to: URL(fileURLWithPath: folder + "/test.cvd"))
        case .htmlErrorPage:
            try removeCdiffs(folder)
            try write("<html><head><title>503</title></head><body>Service Unavailable</body></html>\n", to: folder + "/test.cvd")
        }
    }

    /// What the one-line error must say (libfreshclam's own words, read back from its log).
    var expectedReason: String {
        switch self {
        case .tamperedCdiffsAndCVD, .truncatedCVD: "Can't verify database integrity"
        case .htmlErrorPage: "not a signed database"
        }
    }

    var expectedCode: UpdateError.Code {
        switch self {
        case .tamperedCdiffsAndCVD, .truncatedCVD, .htmlErrorPage: .downloadInvalid
        }
    }

    private func removeCdiffs(_ folder: String) throws {
        for patch in 2...6 { try? FileManager.default.removeItem(atPath: folder + "/test-\(patch).cdiff") }
    }
}

/// The signature files in a database folder (the updater's work folder excluded).
func databaseSetNames(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") && $0 != "freshclam.dat" }.sorted()
}
