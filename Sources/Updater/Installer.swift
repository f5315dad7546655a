#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Moves a tested set into the live directory, keeping the set it replaces as the previous one.
///
/// Each file is replaced with rename(2), which is atomic per file: a reader sees the old file or
/// the new one, never half of one. The set as a whole changes in well under a millisecond, and
/// the daemon loads it only when told to reload afterwards (or at its next start), so it never
/// loads a mixture. Nothing is copied: the previous set is kept as hard links.
struct Installer {
    let layout: DatabaseLayout

    /// Makes `source`'s set the live set; the live set becomes ``DatabaseLayout/previous``.
    /// Returns the names installed (new or replaced) and removed.
    func install(from source: String) throws(UpdateError) -> (changed: [String], removed: [String]) {
        let live = try DatabaseSet(directory: layout.directory)
        let incoming = try DatabaseSet(directory: source)
        let changed = incoming.changed(from: live)
        let removed = incoming.removed(from: live)

        // The live set, as hard links, becomes the previous set once the new one is in place.
        let keep = layout.previous + ".new"
        try makeFreshDirectory(keep)
        try live.link(into: keep)

        var done: [String] = []
        for name in changed {
            guard rename(path(source, name), path(layout.directory, name)) == 0 else {
                let reason = errnoText()
                restore(done + removed, from: keep, removingNew: done.filter { live.files[$0] == nil })
                throw UpdateError(.installFailed, "cannot move \(name) into \(layout.directory): \(reason); the previous set was put back")
            }
            done.append(name)
        }
        for name in removed {
            // A file the new set no longer has (libfreshclam turned test.cvd into test.cld):
            // leaving it would load both.
            unlink(path(layout.directory, name))
        }
        syncDirectory(layout.directory)
        removeTree(layout.previous)
        guard rename(keep, layout.previous) == 0 else {
            throw UpdateError(.installFailed, "installed, but cannot keep the previous set in \(layout.previous): \(errnoText())")
        }
        return (changed, removed)
    }

    /// Puts `names` back from the kept copy after a failed install, best effort.
    private func restore(_ names: [String], from keep: String, removingNew added: [String]) {
        for name in added { unlink(path(layout.directory, name)) }
        for name in names where FileManager.default.fileExists(atPath: path(keep, name)) {
            let target = path(layout.directory, name)
            unlink(target)
            _ = link(path(keep, name), target)
        }
        syncDirectory(layout.directory)
    }

    /// Flushes the directory entry changes, so a crash right after the install keeps it whole.
    private func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
