/// Streaming base64 (RFC 2045 §6.8), tolerant the way mail clients are: white space is skipped
/// silently, other characters outside the alphabet are skipped and counted, and data after
/// padding is decoded too (some readers stop at the padding; decoding on gives the scanner the
/// superset, and the defect says the readings differ).
struct Base64Decoder {
    /// Alphabet value of each byte; 0x80 for white space, 0x81 for '=', 0xFF for anything else.
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, char) in alphabet.enumerated() { table[Int(char)] = UInt8(value) }
        for space in [0x20, 0x09, 0x0D, 0x0A, 0x0B, 0x0C] { table[space] = 0x80 }
        table[Int(UInt8(ascii: "="))] = 0x81
        return table
    }()

    private var accumulator: UInt32 = 0
    private var pending = 0
    private var afterPadding = false
    private(set) var invalidCharacters = 0
    private(set) var paddingProblems = 0
    private(set) var dataAfterPadding = false

    /// Decodes `count` bytes at `input` into `out` (room for count*3/4+3); returns bytes written.
    mutating func decode(_ input: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        Self.table.withUnsafeBufferPointer { table in
            var index = 0
            var written = 0
            while index < count {
                // Fast path: four alphabet characters at a quantum boundary.
                if pending == 0 && !afterPadding && index + 4 <= count {
                    let a = UInt32(table[Int(input[index])]), b = UInt32(table[Int(input[index + 1])])
                    let c = UInt32(table[Int(input[index + 2])]), d = UInt32(table[Int(input[index + 3])])
                    if (a | b | c | d) < 64 {
                        let value = a << 18 | b << 12 | c << 6 | d
                        out[written] = UInt8(truncatingIfNeeded: value >> 16)
                        out[written + 1] = UInt8(truncatingIfNeeded: value >> 8)
                        out[written + 2] = UInt8(truncatingIfNeeded: value)
                        written += 3
                        index += 4
                        continue
                    }
                }
                let value = table[Int(input[index])]
                index += 1
                if value < 64 {
                    if afterPadding {
                        dataAfterPadding = true
                        afterPadding = false
                    }
                    accumulator = accumulator << 6 | UInt32(value)
                    pending += 1
                    if pending == 4 {
                        out[written] = UInt8(truncatingIfNeeded: accumulator >> 16)
                        out[written + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                        out[written + 2] = UInt8(truncatingIfNeeded: accumulator)
                        written += 3
                        pending = 0
                        accumulator = 0
                    }
                } else if value == 0x81 {
                    written += flushPartial(into: out + written, padded: true)
                    afterPadding = true
                } else if value != 0x80 {
                    invalidCharacters += 1
                }
            }
            return written
        }
    }

    /// Flushes an unpadded final quantum; returns bytes written.
    mutating func finish(into out: UnsafeMutablePointer<UInt8>) -> Int {
        flushPartial(into: out, padded: false)
    }

    /// Writes the bytes a partial quantum holds (2 chars: 1 byte, 3 chars: 2 bytes).
    private mutating func flushPartial(into out: UnsafeMutablePointer<UInt8>, padded: Bool) -> Int {
        defer {
            pending = 0
            accumulator = 0
        }
        switch pending {
        case 0:
            // '=' with no quantum open: harmless extra padding after a complete one.
            if padded && !afterPadding { paddingProblems += 1 }
            return 0
        case 2:
            if !padded { paddingProblems += 1 }
            out[0] = UInt8(truncatingIfNeeded: accumulator >> 4)
            return 1
        case 3:
            if !padded { paddingProblems += 1 }
            out[0] = UInt8(truncatingIfNeeded: accumulator >> 10)
            out[1] = UInt8(truncatingIfNeeded: accumulator >> 2)
            return 2
        default:
            // A single character carries 6 bits: not a byte. Dropped, as every reader does.
            paddingProblems += 1
            return 0
        }
    }

    func defects(path: String) -> [MIMEDefect] {
        var found: [MIMEDefect] = []
        if invalidCharacters > 0 {
            found.append(MIMEDefect(.invalidBase64Characters, detail: "\(invalidCharacters) characters outside the base64 alphabet skipped", path: path))
        }
        if paddingProblems > 0 {
            found.append(MIMEDefect(.invalidBase64Padding, detail: "base64 length or padding is wrong (\(paddingProblems) times)", path: path))
        }
        if dataAfterPadding {
            found.append(MIMEDefect(.base64DataAfterPadding, detail: "base64 data follows padding; decoded on", path: path))
        }
        return found
    }
}
