import ClamAV
import Foundation
import Testing
import Updater

extension LibfreshclamTests {
    /// Custom signature files (`custom_urls`) from a real HTTP server on 127.0.0.1, and the canary.
    @Suite struct CustomSignatureTests {
        /// A test string no official signature matches, and an .ndb body signature for it.
        static let marker = "SCANMILTER-UPDATE-TEST-SIGNATURE"
        static let ndb = "Scanmilter.Test.Custom-1:0:*:" + marker.utf8.map { String(format: "%02x", $0) }.joined() + "\n"

        @Test func customNdbWithANewSignatureIsDownloadedTestedAndInstalled() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let folder = try scratch.mirror(version: 3)
            try write(Self.ndb, to: folder + "/scanmilter-custom.ndb")
            let mirror = try MirrorServer(directory: folder)
            let message = Array(cleanMessage("payload \(Self.marker) here").utf8)
            #expect(try Engine(databaseDirectory: database).scan(ArraySlice(message)) == .clean)

            let report = try testUpdater(database: database, mirror: mirror, customURLs: [mirror.url + "/scanmilter-custom.ndb"]).update()

            #expect(report.outcome == .updated)
            #expect(report.changed == ["scanmilter-custom.ndb"])
            #expect(try databaseSetNames(database) == ["scanmilter-custom.ndb", "test.cvd"])
            let engine = try Engine(databaseDirectory: database)
            #expect(engine.scan(ArraySlice(message)) == .matched(["Scanmilter.Test.Custom-1.UNOFFICIAL"]))
        }

        /// Custom files that are not databases: each refused by name, nothing installed.
        @Test(arguments: [
            ("<html><body><h1>404 Not Found</h1></body></html>\n", "HTML error page"),
            ("Scanmilter.Broken-1:0:*:zz-not-hex\n", "malformed signature"),
        ])
        func customFileThatIsNotADatabaseIsRefused(_ body: String, _ what: String) throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let folder = try scratch.mirror(version: 3)
            try write(body, to: folder + "/scanmilter-custom.ndb")
            let mirror = try MirrorServer(directory: folder)
            let updater = testUpdater(database: database, mirror: mirror, customURLs: [mirror.url + "/scanmilter-custom.ndb"])

            let error = #expect(throws: UpdateError.self, "\(what)") { try updater.update() }

            #expect(error?.code == .downloadInvalid)
            #expect(error?.message.contains("scanmilter-custom.ndb") == true)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        @Test func customURLThatIsMissingIsReported() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 3))
            let updater = testUpdater(database: database, mirror: mirror, customURLs: [mirror.url + "/nowhere.ndb"])

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == .mirrorUnavailable)
            #expect(error?.message.contains("nowhere.ndb") == true)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        @Test func canaryFalsePositiveBlocksTheInstall() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let folder = try scratch.mirror(version: 3)
            try write(Self.ndb, to: folder + "/scanmilter-custom.ndb")
            let mirror = try MirrorServer(directory: folder)
            let canary = try scratch.folder("canary")
            try write(cleanMessage(), to: canary + "/1-plain.eml")
            // A legitimate newsletter that happens to contain the new signature's bytes.
            try write(cleanMessage("Our test string is \(Self.marker)."), to: canary + "/2-newsletter.eml")
            let updater = testUpdater(database: database, mirror: mirror, customURLs: [mirror.url + "/scanmilter-custom.ndb"], canary: canary)

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == .canaryFailed)
            #expect(error?.message.contains("2-newsletter.eml") == true)
            #expect(error?.message.contains("Scanmilter.Test.Custom-1") == true)
            #expect(try databaseSetNames(database) == ["test.cvd"])
        }

        @Test func cleanCanaryMessagesLetTheUpdateThrough() throws {
            let scratch = try Scratch()
            let database = try scratch.installed(version: 3)
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 6))
            let canary = try scratch.folder("canary")
            try write(cleanMessage(), to: canary + "/1-plain.eml")
            try write(cleanMessage("Another harmless message."), to: canary + "/2-other.eml")

            let report = try testUpdater(database: database, mirror: mirror, canary: canary).update()

            #expect(report.canary?.cleanMessages == 2)
            #expect(report.databases.map(\.version) == [6])
        }

        @Test func setThatLosesEICARIsNotInstalled() throws {
            // Version 2 of the test database has no EICAR signature: a mirror "updating" to it (as a
            // broken or hostile mirror might) would silently stop detection.
            let scratch = try Scratch()
            let database = try scratch.installed(version: 1)
            let mirror = try MirrorServer(directory: try scratch.mirror(version: 2))
            let updater = testUpdater(database: database, mirror: mirror)

            let error = #expect(throws: UpdateError.self) { try updater.update() }

            #expect(error?.code == .canaryFailed)
            #expect(error?.message.contains("EICAR") == true)
            #expect(DatabaseStatus.read(directory: database).databases.map(\.version) == [1])
        }

        @Test func eicarCanaryMessageIsDetectedThroughTheMailParser() throws {
            let scratch = try Scratch()
            let engine = try Engine(databaseDirectory: try scratch.installed(version: 3))
            #expect(engine.scan(ArraySlice(Canary.eicarMessage)) == .matched(["Eicar-Test-Signature"]))
            #expect(engine.scan(ArraySlice(Canary.eicarMessage), parsing: .withoutMail) == .clean)
        }
    }
}
