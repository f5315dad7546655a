import Foundation
import Testing

/// `scanmilterctl mime`, run as the built binary in a child process.
@Suite struct MimeCommandTests {
    static let message = """
    From: a@example.org\r
    Content-Type: multipart/mixed; boundary="XYZ"\r
    \r
    --XYZ\r
    Content-Type: text/plain; charset=UTF-8\r
    \r
    hello\r
    --XYZ\r
    Content-Type: application/pdf; name="a.pdf"\r
    Content-Disposition: attachment; filename="../../a.pdf"\r
    Content-Transfer-Encoding: base64\r
    \r
    JVBERi0xLjQ=\r
    --XYZ--\r

    """

    @Test func jsonListsLeafPartsWithDecodedSizeAndHashInStableKeyOrder() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("m.eml", Self.message)
        let result = try runMime(["--json", file])
        #expect(result.status == 0)
        let line = result.stdout.trimmingCharacters(in: .newlines)
        #expect(line.hasPrefix("{\"file\":\"\(file)\",\"parts\":[{\"path\":\"1\",\"content_type\":\"text/plain\",\"charset\":\"utf-8\",\"filename\":null,\"disposition\":null,\"encoding\":\"7bit\",\"size\":5,"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let parts = try #require(object["parts"] as? [[String: Any]])
        #expect(parts.count == 2)
        #expect(parts[1]["filename"] as? String == "a.pdf")
        #expect(parts[1]["disposition"] as? String == "attachment")
        #expect(parts[1]["size"] as? Int == 8)
        // sha256 of "%PDF-1.4"
        #expect(parts[1]["sha256"] as? String == "e16fa5d9b51928755db85b917f0297babaf22c7a47e97d9212adab56e61ba04e")
        let defects = try #require(parts[1]["defects"] as? [[String: Any]])
        #expect(defects.map { $0["name"] as? String } == ["FileNameWithPath"])
        #expect((object["defects"] as? [Any])?.isEmpty == true)
    }

    @Test func treeIsIndentedAndNamesEveryPart() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("m.eml", Self.message)
        let result = try runMime([file])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == file)
        #expect(lines.contains { $0.hasPrefix("  message  multipart/mixed") })
        #expect(lines.contains { $0.hasPrefix("    1  text/plain  charset=utf-8  7bit  5 bytes") })
        #expect(lines.contains { $0.hasPrefix("    2  application/pdf  \"a.pdf\"  attachment  base64  8 bytes") })
    }

    @Test func missingFilesAndDirectoriesFailWithEXNOINPUTButOtherFilesAreStillPrinted() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("m.eml", Self.message)
        let missing = directory.path + "/absent.eml"
        let result = try runMime(["--json", missing, file, directory.path])
        #expect(result.status == 66)
        #expect(result.stderr.contains("\(missing): No such file or directory"))
        #expect(result.stderr.contains("\(directory.path): is a directory"))
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("\"file\":\"\(file)\"") == true)
    }

    @Test func unreadableFileIsReportedAndSkipped() throws {
        // Root reads every file regardless of mode, so this check only means something otherwise.
        guard getuid() != 0 else { return }
        let directory = try TemporaryDirectory()
        let file = try directory.write("secret.eml", Self.message)
        chmod(file, 0)
        let result = try runMime([file])
        #expect(result.status == 66)
        #expect(result.stderr.contains("\(file): Permission denied"))
    }

    @Test func treeListsAlternativeReadingsOfAnAmbiguousMessage() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("two-boundaries.eml", """
        Content-Type: multipart/mixed; boundary="a"; boundary="b"\r
        \r
        --a\r
        \r
        harmless\r
        --a--\r
        --b\r
        Content-Type: application/octet-stream; name="evil.exe"\r
        \r
        MZ\r
        --b--\r

        """)
        let result = try runMime([file])
        #expect(result.status == 0)
        #expect(result.stdout.contains("alternative readings"))
        #expect(result.stdout.contains("\"evil.exe\""))
        #expect(result.stdout.contains("MultipleBoundaryParameters"))
    }

    @Test func helpDocumentsTheJSONKeysAndTheExitStatus() throws {
        let result = try runMime(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("path, content_type, charset, filename, disposition,"))
        #expect(result.stdout.contains("66 (EX_NOINPUT)"))
    }

    @Test func noFileIsAUsageError() throws {
        let result = try runMime([])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Missing expected argument '<files> ...'"))
    }

    @Test func emptyFileIsOneEmptyTextPart() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("empty.eml", "")
        let result = try runMime(["--json", file])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"path\":\"1\",\"content_type\":\"text/plain\""))
        #expect(result.stdout.contains("\"size\":0"))
    }
}

/// What a run of the binary printed and how it exited.
private struct MimeRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `scanmilterctl mime ARGS` from the build directory the tests run in.
private func runMime(_ arguments: [String]) throws -> MimeRun {
    let tool = BuiltTool("scanmilterctl")
    guard tool.isBuilt else {
        Issue.record("scanmilterctl not built at \(tool.url.path); run swift build --build-tests first")
        return MimeRun(status: -1, stdout: "", stderr: "")
    }
    let result = try tool.run(["mime"] + arguments)
    return MimeRun(status: result.status, stdout: result.out, stderr: result.err)
}

/// A directory under the system temporary directory, removed when the value is released.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "mime-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
