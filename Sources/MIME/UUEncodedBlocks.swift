#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds uuencoded blocks (`begin 644 name` ... `end`) inside text bodies, where old mailers and
/// some malware put attachments without any MIME structure; mail clients show them as files.
enum UUEncodedBlocks {
    /// One block: its byte range (from `begin` through `end`, or to the body's end) and file name.
    struct Block {
        let range: Range<Int>
        let fileName: String
        let hasEnd: Bool
    }

    /// Whether `line` (no line break) is `begin` + octal mode + name.
    static func isBeginLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        beginLineFileName(line) != nil
    }

    /// The file name of a `begin MODE NAME` line, or nil if the line is not one.
    static func beginLineFileName(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let prefix = Array("begin ".utf8)
        guard line.count > prefix.count + 2, line.starts(with: prefix) else { return nil }
        var index = prefix.count
        var digits = 0
        while index < line.count, (0x30...0x37).contains(line[index]) {
            digits += 1
            index += 1
        }
        guard (1...4).contains(digits), index < line.count, line[index] == 0x20 else { return nil }
        var end = line.count
        while end > index + 1 && (line[end - 1] == 0x20 || line[end - 1] == 0x0D) { end -= 1 }
        guard end > index + 1 else { return nil }
        return Array(line[(index + 1)..<end])
    }

    /// Every block in `range` of `buffer`, in order.
    static func find(in buffer: UnsafeRawBufferPointer, range: Range<Int>) -> [Block] {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), !range.isEmpty else { return [] }
        var blocks: [Block] = []
        var position = range.lowerBound
        while position < range.upperBound {
            guard let found = memchr(base + position, 0x62, range.upperBound - position) else { break }
            let candidate = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            position = candidate + 1
            guard candidate == range.lowerBound || base[candidate - 1] == 0x0A else { continue }
            let lineEnd = ByteScan.lineEnd(base, from: candidate, limit: range.upperBound)
            let line = UnsafeBufferPointer(start: base + candidate, count: lineEnd.content - candidate)
            guard let name = beginLineFileName(line) else { continue }
            // The block runs to its `end` line, or to the end of the body when `end` is missing.
            var cursor = lineEnd.next
            var blockEnd = range.upperBound
            var hasEnd = false
            while cursor < range.upperBound {
                let next = ByteScan.lineEnd(base, from: cursor, limit: range.upperBound)
                var content = next.content
                while content > cursor && base[content - 1] == 0x20 { content -= 1 }
                if content - cursor == 3 && base[cursor] == 0x65 && base[cursor + 1] == 0x6E && base[cursor + 2] == 0x64 {
                    blockEnd = next.next
                    hasEnd = true
                    break
                }
                cursor = next.next
            }
            blocks.append(Block(
                range: candidate..<blockEnd,
                fileName: Charsets.decodeLenient(name),
                hasEnd: hasEnd
            ))
            position = blockEnd
        }
        return blocks
    }
}
