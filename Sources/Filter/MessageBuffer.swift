#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One message as it arrives: kept in memory up to a threshold, then in an unlinked temporary
/// file, and never more than the scan limit — so memory stays bounded whatever the message size
/// or the number of connections.
///
/// Owned by one session (one SMTP connection); not shared between threads. The temporary file
/// is unlinked as soon as it is created, so it disappears with the descriptor even if the process
/// dies; `release()` (or deinit) closes it.
public final class MessageBuffer {
    /// Where the bytes are.
    public enum Storage {
        /// All bytes in memory.
        case memory([UInt8])
        /// All bytes in an unlinked temporary file, open for reading and writing.
        case file(descriptor: Int32, count: Int)
    }

    /// What `append` did with a chunk.
    public enum AppendResult: Equatable, Sendable {
        /// Everything was kept.
        case kept
        /// The limit was reached: part or all of the chunk was dropped and the message is truncated.
        case limitReached
    }

    /// A write to the temporary file failed (disk full, read-only file system...).
    public struct StorageError: Error, Sendable, CustomStringConvertible {
        /// What was being done: "create temporary file in /tmp", "write temporary file".
        public var operation: String
        /// The errno value.
        public var errno: Int32
        public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
    }

    private let memoryThreshold: Int
    private let maxSize: Int
    private let temporaryDirectory: String
    private var memory: [UInt8] = []
    private var descriptor: Int32 = -1
    /// Bytes kept (memory or file).
    public private(set) var count = 0
    /// Bytes offered beyond the limit and dropped.
    public private(set) var droppedBytes = 0
    /// Whether anything was dropped: the message is not whole and must never be labelled clean.
    public var isTruncated: Bool { droppedBytes > 0 }
    /// Whether the bytes spilled to a temporary file.
    public var isSpilled: Bool { descriptor >= 0 }

    /// - Parameters:
    ///   - memoryThreshold: bytes kept in memory before spilling to a temporary file.
    ///   - maxSize: bytes kept at most; later bytes are counted and dropped.
    ///   - temporaryDirectory: where the (unlinked) temporary file is created.
    public init(memoryThreshold: Int, maxSize: Int, temporaryDirectory: String) {
        self.memoryThreshold = max(0, memoryThreshold)
        self.maxSize = max(0, maxSize)
        self.temporaryDirectory = temporaryDirectory
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends bytes, up to the limit.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer) throws -> AppendResult {
        let room = maxSize - count
        let kept = min(room, bytes.count)
        droppedBytes += bytes.count - kept
        if kept > 0 {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[0..<kept])
            if descriptor < 0 && count + kept > memoryThreshold {
                try spill()
            }
            if descriptor >= 0 {
                try writeAll(slice)
            } else {
                memory.append(contentsOf: slice)
            }
            count += kept
        }
        return kept == bytes.count ? .kept : .limitReached
    }

    /// Appends bytes from an array (headers, separators).
    @discardableResult
    public func append(_ bytes: [UInt8]) throws -> AppendResult {
        try bytes.withUnsafeBytes { raw in try append(raw) }
    }

    /// Counts bytes that arrived after the caller stopped storing (e.g. the MTA kept sending
    /// after SKIP was not negotiated), so the summary can tell the real size.
    public func countDropped(_ byteCount: Int) {
        droppedBytes += byteCount
    }

    /// The bytes as they are stored now; a file descriptor stays owned by the buffer.
    public var storage: Storage {
        descriptor >= 0 ? .file(descriptor: descriptor, count: count) : .memory(memory)
    }

    /// Releases memory and the temporary file; the buffer is empty afterwards and can be reused.
    public func release() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        memory = []
        count = 0
        droppedBytes = 0
    }

    private func spill() throws {
        // Unlinked at once: nothing is left behind even if the process dies. (O_TMPFILE would
        // never name it at all, but Glibc's module does not export it without _GNU_SOURCE.)
        var template = Array("\(temporaryDirectory)/scanmilter.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { path in path.baseAddress.map { mkstemp($0) } ?? -1 }
        if fd >= 0 {
            template.withUnsafeBufferPointer { path in
                if let name = path.baseAddress { _ = unlink(name) }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        guard fd >= 0 else {
            throw StorageError(operation: "create temporary file in \(temporaryDirectory)", errno: errno)
        }
        descriptor = fd
        let pending = memory
        memory = []
        try pending.withUnsafeBytes { raw in try writeAll(raw) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError(operation: "write temporary file", errno: errno)
            }
            offset += written
        }
    }
}
