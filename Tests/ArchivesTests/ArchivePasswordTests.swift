import Archives
import Foundation
import Testing

/// Which encryptions `ArchiveInspector.open` reads with the right password, on archives made by
/// Info-ZIP's `zip -P` and p7zip's `7z`, and that a wrong one never passes for it.
@Suite struct ArchivePasswordTests {
    static let sevenZip = ["/usr/bin/7z", "/usr/bin/7za"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let content = Array("quarterly numbers, not secret at all\n".utf8)

    /// Runs `tool` in a fresh directory holding `report.txt`; returns the bytes of `out`.
    static func make(_ tool: String, _ arguments: [String], out: String) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(content).write(to: dir.appendingPathComponent("report.txt"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.currentDirectoryURL = dir
        process.arguments = arguments + [out, "report.txt"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: dir.appendingPathComponent(out)))
    }

    static func budget() -> ArchiveInspector.PasswordBudget { .init(tries: 10_000, bytes: 1 << 30) }

    @Test(arguments: [["-q", "-P", "s3cret"], ["-q", "-0", "-P", "s3cret"]])
    func aZipCryptoZipOpensWithItsPasswordAndGivesItsMembersWhole(_ arguments: [String]) throws {
        let zip = try Self.make("/usr/bin/zip", arguments, out: "out.zip")
        var budget = Self.budget()
        let opening = try #require(try ArchiveInspector().open(zip[...], candidates: ["nope", "s3cret"], budget: &budget))
        #expect(opening.password == "s3cret")
        #expect(opening.members.map(\.path) == ["report.txt"])
        #expect(opening.members.first?.content == Self.content)
        #expect(budget.tries == 10_000 - 2)
    }

    /// One wrong ZipCrypto password in 256 passes the header's check byte; on a stored entry only
    /// the CRC then tells it apart, which libarchive reports as a mere warning.
    @Test func aThousandWrongPasswordsNeverOpenAStoredZipCryptoZip() throws {
        let zip = try Self.make("/usr/bin/zip", ["-q", "-0", "-P", "s3cret"], out: "out.zip")
        var budget = Self.budget()
        let wrong = (0..<1000).map { "wrong\($0)" }
        #expect(try ArchiveInspector().open(zip[...], candidates: wrong, budget: &budget) == nil)
    }

    @Test(.enabled(if: sevenZip != nil, "needs p7zip-full"), arguments: ["-mem=AES128", "-mem=AES256", "-mem=ZipCrypto"])
    func aZipFrom7zOpensWithItsPassword(_ method: String) throws {
        let zip = try Self.make(try #require(Self.sevenZip), ["a", "-bd", "-y", "-tzip", method, "-ps3cret"], out: "out.zip")
        var budget = Self.budget()
        let opening = try ArchiveInspector().open(zip[...], candidates: ["wrong", "s3cret"], budget: &budget)
        #expect(opening?.password == "s3cret")
        #expect(opening?.members.first?.content == Self.content)
    }

    /// libarchive 3.6/3.7 lists an encrypted 7z but cannot decrypt it (no 7z AES): it stays
    /// encrypted, and the archive-encrypted rule keeps applying.
    @Test(.enabled(if: sevenZip != nil, "needs p7zip-full"), arguments: [["-mhe=off"], ["-mhe=on"]])
    func aSevenZipArchiveWithAESStaysClosed(_ header: [String]) throws {
        let archive = try Self.make(try #require(Self.sevenZip), ["a", "-bd", "-y", "-t7z", "-ps3cret"] + header, out: "out.7z")
        #expect(try ArchiveInspector().inspect(archive)?.encrypted == true)
        var budget = Self.budget()
        #expect(try ArchiveInspector().open(archive[...], candidates: ["s3cret"], budget: &budget) == nil)
    }

    @Test func anExhaustedBudgetTriesNothing() throws {
        let zip = try Self.make("/usr/bin/zip", ["-q", "-P", "s3cret"], out: "out.zip")
        var budget = ArchiveInspector.PasswordBudget(tries: 1, bytes: 1 << 20)
        #expect(try ArchiveInspector().open(zip[...], candidates: ["wrong", "s3cret"], budget: &budget) == nil)
        #expect(budget.tries == 0)
    }
}
