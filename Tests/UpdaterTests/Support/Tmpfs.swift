import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted for one test (a disk that fills up, a file system that is read-only),
/// unmounted when the value goes away. Needs root; ``available`` says whether it can run here.
final class Tmpfs {
    let path: String

    /// Whether this process may mount file systems (root; CI runs as root).
    static var available: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

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
