#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw bytes of one message, held once and shared by every part that refers into it.
///
/// Either an array handed in by the caller or a read-only memory map of a file; parts keep byte
/// ranges into it instead of copies, so a 50 MB message costs 50 MB once.
public final class MessageBytes: @unchecked Sendable {
    // @unchecked: the storage is never written after init (the array is a `let`, the mapping is
    // PROT_READ), so sharing it across threads is safe.
    private enum Storage {
        case array([UInt8])
        case mapped(UnsafeRawPointer, Int)
    }

    private let storage: Storage

    /// The number of bytes in the message.
    public let count: Int

    /// Wraps bytes already in memory (no copy beyond the array's own copy-on-write sharing).
    public init(_ bytes: [UInt8]) {
        storage = .array(bytes)
        count = bytes.count
    }

    /// Maps the file at `path` read-only; the mapping lives as long as this object.
    public convenience init(mappingFile path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MessageBytesError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        do {
            try self.init(mapping: fd)
        } catch var error as MessageBytesError {
            error.path = path
            throw error
        }
    }

    /// Maps the open file `fileDescriptor` read-only from offset 0; the descriptor may be closed
    /// afterwards (the mapping keeps the file alive).
    public init(mapping fileDescriptor: Int32) throws {
        var info = stat()
        guard fstat(fileDescriptor, &info) == 0 else {
            throw MessageBytesError(operation: "fstat", path: nil, errno: errno)
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw MessageBytesError(operation: "fstat", path: nil, errno: kind == S_IFDIR ? EISDIR : EINVAL)
        }
        let size = Int(info.st_size)
        // mmap refuses a zero length; an empty file is simply an empty message.
        guard size > 0 else {
            storage = .array([])
            count = 0
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fileDescriptor, 0),
              address != MAP_FAILED else {
            throw MessageBytesError(operation: "mmap", path: nil, errno: errno)
        }
        storage = .mapped(UnsafeRawPointer(address), size)
        count = size
    }

    deinit {
        if case .mapped(let address, let size) = storage {
            munmap(UnsafeMutableRawPointer(mutating: address), size)
        }
    }

    /// Drops the mapped pages from this process's resident memory; they stay in the page cache
    /// and come back on the next access. For a large message between passes over it (e.g. while
    /// it waits its turn to be scanned), so that it does not count against the process meanwhile.
    /// A no-op for bytes in memory.
    public func dropResidentPages() {
        if case .mapped(let address, let size) = storage {
            // Safe on a read-only private file mapping: no page was ever written, so nothing is
            // lost; the next read faults the page back in from the page cache.
            _ = madvise(UnsafeMutableRawPointer(mutating: address), size, MADV_DONTNEED)
        }
    }

    /// Calls `body` with the whole message as raw memory; the pointer is valid only inside `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch storage {
        case .array(let bytes):
            return try bytes.withUnsafeBytes(body)
        case .mapped(let address, let size):
            return try body(UnsafeRawBufferPointer(start: address, count: size))
        }
    }

    /// A view of `range` (clamped to the message) without copying; its indices are offsets into
    /// the message, like an `ArraySlice`'s.
    public subscript(range: Range<Int>) -> ByteView {
        ByteView(message: self, range: range.clamped(to: 0..<count))
    }

    /// A copy of the bytes in `range` (clamped to the message).
    public func copyBytes(_ range: Range<Int>) -> [UInt8] {
        let clamped = range.clamped(to: 0..<count)
        return withUnsafeBytes { Array($0[clamped]) }
    }

    /// The byte at `offset`; internal because callers index through `ByteView`.
    func byte(at offset: Int) -> UInt8 {
        switch storage {
        case .array(let bytes):
            return bytes[offset]
        case .mapped(let address, let size):
            precondition(offset >= 0 && offset < size, "ByteView index out of range")
            return address.load(fromByteOffset: offset, as: UInt8.self)
        }
    }
}

/// Why a message could not be mapped: the system call and its errno.
public struct MessageBytesError: Error, Sendable, CustomStringConvertible {
    /// The failing system call (`open`, `fstat`, `mmap`).
    public let operation: String
    /// The file, when known.
    public var path: String?
    /// The C errno value.
    public let errno: Int32

    /// Why, in words: `No such file or directory`, `is a directory`, `not a regular file`.
    public var reason: String {
        switch errno {
        case EISDIR: return "is a directory"
        case EINVAL where operation == "fstat": return "not a regular file"
        default: return String(cString: strerror(errno))
        }
    }

    /// A one-line explanation such as `open /x/y: No such file or directory`.
    public var description: String {
        "\(operation) \(path ?? "file descriptor"): \(reason)"
    }
}
