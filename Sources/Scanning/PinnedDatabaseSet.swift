import Foundation

/// The signature files the running engine was loaded from, held open so that an in-place reload
/// whose new set fails to load can load the previous set again.
///
/// Why open descriptors: by the time a reload runs the updater has already replaced files in the
/// database directory (rename(2), file by file) or added a broken one, so the directory no longer
/// holds the previous set; an open descriptor keeps the replaced file's bytes readable without a
/// copy, without disk space, and without writing anything into a directory the daemon may not
/// own (it drops privileges after the first load). To load them again, a private directory gets
/// one symbolic link per file, with the file's own name (libclamav picks the format from it), to
/// `/proc/self/fd/N`, which opens the pinned file even after it was replaced or deleted. What it
/// cannot undo: a file rewritten in place (not replaced) changes under the descriptor too.
final class PinnedDatabaseSet: Sendable {
    /// The directory the files were opened in.
    let directory: String
    /// File name → open descriptor.
    private let files: [(name: String, descriptor: Int32)]

    /// Opens every non-hidden regular file of `directory` (before it is loaded, so the pins hold
    /// what the load reads: the updater installs first and asks for a reload afterwards).
    init(directory: String) throws(PinError) {
        self.directory = directory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw PinError(description: "cannot list \(directory): \(error.localizedDescription)")
        }
        var files: [(name: String, descriptor: Int32)] = []
        for name in names {
            let descriptor = open(directory + "/" + name, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                // A dangling link is no part of the set (libclamav would skip it too).
                if errno == ENOENT { continue }
                let reason = String(cString: strerror(errno))
                for file in files { close(file.descriptor) }
                throw PinError(description: "cannot open \(directory)/\(name): \(reason)")
            }
            // Subdirectories (the updater's `.scanmilter` is hidden anyway) are no part of the set.
            var info = stat()
            if fstat(descriptor, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG {
                close(descriptor)
                continue
            }
            files.append((name, descriptor))
        }
        self.files = files
    }

    deinit {
        for file in files { close(file.descriptor) }
    }

    /// Makes a fresh directory under `parent` with one link per pinned file, for libclamav to load;
    /// the caller removes it once loaded.
    func linkDirectory(under parent: String) throws(PinError) -> String {
        let target = parent + "/scanmilter-previous-set-\(getpid())-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            for file in files {
                try FileManager.default.createSymbolicLink(
                    atPath: target + "/" + file.name, withDestinationPath: "/proc/self/fd/\(file.descriptor)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            throw PinError(description: "cannot link the previous set under \(parent): \(error.localizedDescription)")
        }
        return target
    }
}

/// Why the previous set could not be pinned or linked; logged, never fatal to a reload.
struct PinError: Error, CustomStringConvertible {
    let description: String
}
