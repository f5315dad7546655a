import Archives
import Foundation
import Testing

/// Archives made by other tools (7-Zip, Microsoft cabarc, cpio, Info-ZIP), from ClamAV's own test
/// files (Debian's clamav-testfiles, installed by scripts/install-deps.sh): each holds clam.exe,
/// a harmless Windows executable.
@Suite struct ThirdPartyArchiveTests {
    static let directory = "/usr/share/clamav-testfiles"

    static func load(_ file: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)")))
    }

    @Test(arguments: [
        "clam.7z", "clam.cab", "clam.zip", "clam.bz2.zip", "clam.tar.gz", "clam.bin-be.cpio", "clam.bin-le.cpio",
        "clam.newc.cpio", "clam.odc.cpio",
    ])
    func executableInsideIsNamedAndItsContentRead(file: String) throws {
        let listing = try #require(try ArchiveInspector().inspect(try Self.load(file), name: file))
        let exe = try #require(listing.entries.first { $0.name == "clam.exe" }, "\(listing.entries.map(\.path))")
        #expect(exe.contentPrefix.starts(with: Array("MZ".utf8)))
        #expect(listing.isComplete)
    }

    @Test func loneBzip2TakesItsNameFromTheAttachment() throws {
        let listing = try #require(try ArchiveInspector().inspect(try Self.load("clam.exe.bz2"), name: "clam.exe.bz2"))
        #expect(listing.entries.map(\.name) == ["clam.exe"])
        #expect(listing.entries.first?.contentPrefix.starts(with: Array("MZ".utf8)) == true)
    }

    @Test func zipWithAnUnsupportedMethodListsTheNameAndRecordsTheDefect() throws {
        // PKWARE "implode" (method 6): libarchive lists the entry but cannot decompress it.
        let listing = try #require(try ArchiveInspector().inspect(try Self.load("clam.impl.zip")))
        #expect(listing.entries.map(\.name) == ["CLAM.EXE"])
        #expect(listing.damaged)
        #expect(listing.defects.first?.error.function == "archive_read_data")
    }
}
