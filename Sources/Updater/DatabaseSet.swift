#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The signature files of one directory, by name, with the inode each name points to: two sets
/// share a file exactly when they share its inode (the staging set starts as hard links).
struct DatabaseSet: Equatable {
    /// Files in a database directory that are libfreshclam's bookkeeping, not signatures.
    static let bookkeeping: Set<String> = ["freshclam.dat", "mirrors.dat"]

    let directory: String
    /// File name → inode number.
    let files: [String: UInt64]

    /// Reads the set in `directory`: non-hidden regular files that are not bookkeeping.
    init(directory: String) throws(UpdateError) {
        self.directory = directory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw UpdateError(.configuration, "cannot list \(directory): \(error.localizedDescription)")
        }
        var files: [String: UInt64] = [:]
        for name in names where !name.hasPrefix(".") && !Self.bookkeeping.contains(name) {
            var info = stat()
            guard lstat(path(directory, name), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            files[name] = UInt64(info.st_ino)
        }
        self.files = files
    }

    var isEmpty: Bool { files.isEmpty }
    var names: [String] { files.keys.sorted() }

    /// Names that are new or replaced in `self` compared with `other`.
    func changed(from other: DatabaseSet) -> [String] {
        names.filter { other.files[$0] != files[$0] }
    }

    /// Names in `other` that `self` no longer has.
    func removed(from other: DatabaseSet) -> [String] {
        other.names.filter { files[$0] == nil }
    }

    /// Fills the empty directory `target` with hard links to every file of the set: a copy that
    /// costs no space, and which libfreshclam replaces file by file (it writes new files and
    /// renames them; it never writes into an existing one).
    func link(into target: String) throws(UpdateError) {
        for name in names {
            guard Glibc.link(path(directory, name), path(target, name)) == 0 else {
                throw UpdateError(errno == ENOSPC ? .diskFull : .notWritable,
                                  "cannot link \(name) into \(target): \(errnoText())")
            }
        }
    }

    /// Total size of the set's files in bytes.
    func byteCount() -> UInt64 {
        names.reduce(0) { total, name in
            var info = stat()
            return stat(path(directory, name), &info) == 0 ? total + UInt64(info.st_size) : total
        }
    }
}

/// Removes `target` and everything in it; missing is fine.
func removeTree(_ target: String) {
    try? FileManager.default.removeItem(atPath: target)
}

/// Creates `target` fresh (removing what was there).
func makeFreshDirectory(_ target: String) throws(UpdateError) {
    removeTree(target)
    guard mkdir(target, 0o755) == 0 else {
        throw UpdateError(errno == ENOSPC ? .diskFull : .notWritable, "cannot create \(target): \(errnoText())")
    }
}
