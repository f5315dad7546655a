#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Line and byte searches over raw memory, built on the C library's vectorised `memchr`, which
/// is what keeps the parser at memory speed on large bodies.
enum ByteScan {
    /// The end of the line starting at `start`: `content` excludes the CR LF or LF, `next` is the
    /// start of the following line (or `limit`).
    @inline(__always)
    static func lineEnd(_ base: UnsafePointer<UInt8>, from start: Int, limit: Int) -> (content: Int, next: Int) {
        guard start < limit, let found = memchr(base + start, 0x0A, limit - start) else {
            return (limit, limit)
        }
        let newline = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        let content = newline > start && base[newline - 1] == 0x0D ? newline - 1 : newline
        return (content, newline + 1)
    }

    /// The offset of the next byte `byte` in `start..<limit`, or nil.
    @inline(__always)
    static func find(_ byte: UInt8, in base: UnsafePointer<UInt8>, from start: Int, limit: Int) -> Int? {
        guard start < limit, let found = memchr(base + start, Int32(byte), limit - start) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    /// Where the content before the line starting at `lineStart` ends: the preceding CR LF or LF
    /// belongs to the next line (RFC 2046 §5.1.1 makes it part of the boundary delimiter).
    @inline(__always)
    static func contentEnd(before lineStart: Int, in base: UnsafePointer<UInt8>, floor: Int) -> Int {
        var end = lineStart
        if end > floor && base[end - 1] == 0x0A {
            end -= 1
            if end > floor && base[end - 1] == 0x0D { end -= 1 }
        }
        return end
    }

    /// Whether the bytes at `offset` equal `pattern` (bounds checked against `limit`).
    @inline(__always)
    static func matches(_ pattern: [UInt8], in base: UnsafePointer<UInt8>, at offset: Int, limit: Int) -> Bool {
        guard offset + pattern.count <= limit else { return false }
        return pattern.withUnsafeBytes { bytes in
            guard let patternBase = bytes.baseAddress else { return true }
            return memcmp(base + offset, patternBase, pattern.count) == 0
        }
    }

    /// Whether the bytes at `offset` equal the lowercase ASCII `pattern`, ignoring case.
    static func matchesIgnoringCase(_ pattern: [UInt8], in base: UnsafePointer<UInt8>, at offset: Int, limit: Int) -> Bool {
        guard offset + pattern.count <= limit else { return false }
        for (index, expected) in pattern.enumerated() {
            let byte = base[offset + index]
            let lowered = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            if lowered != expected { return false }
        }
        return true
    }

    /// Whether `byte` is a space or tab.
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
