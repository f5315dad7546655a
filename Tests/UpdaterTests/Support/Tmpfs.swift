import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted for one test (a disk that fills up, a file system that is read-only),
/// unmounted when the value goes away. Needs root; ``available`` says whether it can run here.
final class Tmpfs {
    let path: String

    /// Whether this process may mount file systems: tried once with a tiny tmpfs (root without
    /// CAP_SYS_ADMIN, as in some containers, may not).
    static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-probe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: probe) }
        return (try? Tmpfs(at: probe, sizeKiB: 16)) != nil
    }()

    init(at path: String, sizeKiB: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0755", "tmpfs", path])
    }

    /// Makes the file system read-only (EROFS for everyone, root included).
    func makeReadOnly() throws {
        try Self.run("/bin/mount", ["-o", "remount,ro", path])
    }

    deinit {
        try? Self.run("/bin/umount", ["-l", path])
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }
}
