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

    /// Names that are new or replaced in `self` compared with `other`: a different inode and
    /// different bytes (copies made where hard links are unsupported have equal bytes).
    func changed(from other: DatabaseSet) -> [String] {
        names.filter { name in
            guard let theirs = other.files[name] else { return true }
            guard theirs != files[name] else { return false }
            return !FileManager.default.contentsEqual(atPath: path(directory, name), andPath: path(other.directory, name))
        }
    }

    /// Names in `other` that `self` no longer has.
    func removed(from other: DatabaseSet) -> [String] {
        other.names.filter { files[$0] == nil }
    }

    /// Fills the empty directory `target` with hard links to every file of the set: a copy that
    /// costs no space, and which libfreshclam replaces file by file (it writes new files and
    /// renames them; it never writes into an existing one). Where hard links are not supported
    /// the files are copied.
    func link(into target: String) throws(UpdateError) {
        for name in names {
            let source = path(directory, name)
            let copy = path(target, name)
            if Glibc.link(source, copy) == 0 { continue }
            let linkError = errno
            // File systems without hard links (some FUSE and container volume drivers) get a copy.
            guard [EPERM, ENOTSUP, EXDEV, EMLINK].contains(linkError) else {
                throw UpdateError(linkError == ENOSPC ? .diskFull : .notWritable,
                                  "cannot link \(name) into \(target): \(errnoText(linkError))")
            }
            do {
                try FileManager.default.copyItem(atPath: source, toPath: copy)
            } catch {
                let full = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ENOSPC)
                throw UpdateError(full ? .diskFull : .notWritable, "cannot copy \(name) into \(target): \(error.localizedDescription)")
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
