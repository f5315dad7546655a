/// Streaming uudecoding: skips to the `begin MODE NAME` line, decodes each line by its length
/// character, stops at `end`. Fed whole lines (the caller cuts chunks at line ends); a chunk that
/// ends mid-line is treated as ending the line, which only garbles lines no encoder writes.
struct UUDecoder {
    private enum Phase {
        case seekingBegin
        case body
        case done
    }

    private var phase = Phase.seekingBegin
    private(set) var badLines = 0

    /// Decodes `count` bytes at `input` into `out` (room for `count`); returns bytes written.
    mutating func decode(_ input: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        var lineStart = 0
        while lineStart < count && phase != .done {
            var lineEnd = lineStart
            while lineEnd < count && input[lineEnd] != 0x0A { lineEnd += 1 }
            var contentEnd = lineEnd
            while contentEnd > lineStart && (input[contentEnd - 1] == 0x0D || input[contentEnd - 1] == 0x20) {
                contentEnd -= 1
            }
            let line = UnsafeBufferPointer(start: input + lineStart, count: contentEnd - lineStart)
            switch phase {
            case .seekingBegin:
                if UUEncodedBlocks.isBeginLine(line) { phase = .body }
            case .body:
                if line.elementsEqual("end".utf8) {
                    phase = .done
                } else {
                    written += decodeLine(line, into: out + written)
                }
            case .done:
                break
            }
            lineStart = lineEnd + 1
        }
        return written
    }

    /// Ends the stream; returns bytes written (always none: uuencode carries no state over lines).
    mutating func finish() -> Int {
        if phase == .seekingBegin { badLines += 1 }
        return 0
    }

    /// Decodes one line: its first character gives the byte count, then 4 characters per 3 bytes.
    private mutating func decodeLine(_ line: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let first = line.first else { return 0 }
        let length = Int((first &- 0x20) & 0x3F)
        if length == 0 { return 0 }
        var written = 0
        var index = 1
        while written < length {
            guard index < line.count else {
                badLines += 1
                break
            }
            var group: UInt32 = 0
            for offset in 0..<4 {
                let char = index + offset < line.count ? line[index + offset] : 0x60
                group = group << 6 | UInt32((char &- 0x20) & 0x3F)
            }
            index += 4
            for shift in [16, 8, 0] where written < length {
                out[written] = UInt8(truncatingIfNeeded: group >> UInt32(shift))
                written += 1
            }
        }
        return written
    }

    func defects(path: String) -> [MIMEDefect] {
        guard badLines > 0 || phase == .body else { return [] }
        let detail = phase == .seekingBegin ? "no 'begin' line found"
            : phase == .body ? "no 'end' line; decoded to the end of the part" : "\(badLines) short lines"
        return [MIMEDefect(.invalidUUEncode, detail: detail, path: path)]
    }
}
