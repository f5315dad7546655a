#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An exclusive flock(2) on a file in the database directory's work folder, so two updates
/// (a cron job and a manual run, or two containers sharing a volume) never run at once.
/// The kernel drops the lock when the process dies, so a crash leaves no stale lock behind.
final class UpdateLock {
    private let descriptor: Int32

    /// Takes the lock at `path` without waiting; throws ``UpdateError/Code/busy`` naming the
    /// holder's process id when another process has it.
    init(path: String) throws(UpdateError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw UpdateError(.notWritable, "cannot create lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            let who = holder.isEmpty ? "another process" : "process \(holder)"
            throw UpdateError(.busy, "another update is running (\(who) holds \(path))")
        }
        // The holder's pid, for the message a second updater prints; informational only.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}
