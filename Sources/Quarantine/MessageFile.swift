#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checksum

/// The message files of the store: written atomically, read whole, removed. All the syscalls
/// of the store's files go through here, and each failure names the call and the path.
enum MessageFile {
    /// What a written file holds.
    struct Written {
        var size: Int
        var sha256: String
    }

    /// Writes `source` to `directory/name` atomically: a temporary file in the same directory,
    /// fsync, rename, fsync of the directory. On any failure nothing is left behind.
    static func write(_ source: MessageSource, directory: String, name: String, temporaryName: String) throws(QuarantineError) -> Written {
        let temporaryPath = directory + "/" + temporaryName
        let finalPath = directory + "/" + name
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("open", temporaryPath) }
        var written = Written(size: 0, sha256: "")
        do throws(QuarantineError) {
            var hasher = SHA256()
            switch source {
            case .bytes(let bytes):
                let problem = bytes.withUnsafeBytes { buffer -> QuarantineError? in
                    hasher.update(buffer: buffer)
                    do throws(QuarantineError) {
                        try writeAll(descriptor, buffer, path: temporaryPath)
                        return nil
                    } catch {
                        return error
                    }
                }
                if let problem { throw problem }
                written.size = bytes.count
            case .file(let input, let length):
                guard length >= 0 else { throw QuarantineError(.invalidArgument, "message length \(length) is negative") }
                try copy(from: input, length: length, to: descriptor, path: temporaryPath, hasher: &hasher)
                written.size = length
            }
            written.sha256 = hasher.finalize().hexString
            guard fsync(descriptor) == 0 else { throw failure("fsync", temporaryPath) }
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        // close can report a delayed write error (NFS, quota); the descriptor is gone either way.
        guard close(descriptor) == 0 else {
            let error = failure("close", temporaryPath)
            unlink(temporaryPath)
            throw error
        }
        guard rename(temporaryPath, finalPath) == 0 else {
            let error = failure("rename", temporaryPath)
            unlink(temporaryPath)
            throw error
        }
        do throws(QuarantineError) {
            try syncDirectory(directory)
        } catch {
            unlink(finalPath)
            throw error
        }
        return written
    }

    /// Copies `length` bytes from offset 0 of `input` with pread, hashing them on the way.
    private static func copy(from input: Int32, length: Int, to output: Int32, path: String, hasher: inout SHA256) throws(QuarantineError) {
        let chunkSize = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < length {
            let wanted = min(chunkSize, length - offset)
            let got = pread(input, buffer.baseAddress, wanted, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw failure("pread", "the message source (descriptor \(input))")
            }
            guard got > 0 else {
                throw QuarantineError(.io, "the message source ended at byte \(offset) of \(length)")
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            hasher.update(buffer: chunk)
            try writeAll(output, chunk, path: path)
            offset += got
        }
    }

    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(QuarantineError) {
        var done = 0
        while done < buffer.count {
            let result = Glibc.write(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            done += result
        }
    }

    /// Makes a rename or unlink in `directory` durable.
    static func syncDirectory(_ directory: String) throws(QuarantineError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", directory) }
    }

    /// The whole file at `path`.
    static func read(_ path: String) throws(QuarantineError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("fstat", path) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        let chunkSize = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got = Glibc.read(descriptor, buffer.baseAddress, chunkSize)
            if got < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if got == 0 { return bytes }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
    }

    /// Removes `path`; a file that is already gone is not an error.
    static func remove(_ path: String) throws(QuarantineError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Size and modification time of `path`, or nil when it cannot be read.
    static func attributes(_ path: String) -> (size: Int, modified: Double)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return (Int(status.st_size), Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
    }

    /// The names in `directory`, without `.` and `..`.
    static func names(in directory: String) throws(QuarantineError) -> [String] {
        guard let handle = opendir(directory) else { throw failure("opendir", directory) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `directory` with mode 0700 when it does not exist.
    static func makeDirectory(_ directory: String) throws(QuarantineError) {
        if mkdir(directory, 0o700) == 0 || errno == EEXIST { return }
        throw failure("mkdir", directory)
    }

    /// An error for the failed `call` on `path`, from errno; ENOSPC and EDQUOT say the disk is full.
    static func failure(_ call: String, _ path: String) -> QuarantineError {
        let code = errno
        let reason = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT:
            return QuarantineError(.diskFull, "\(call) \(path): \(reason)")
        case ENOENT where call == "open" || call == "opendir":
            return QuarantineError(.fileMissing, "\(call) \(path): \(reason)")
        default:
            return QuarantineError(.io, "\(call) \(path): \(reason)")
        }
    }
}
