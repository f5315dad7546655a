#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming quoted-printable (RFC 2045 §6.7), read as Python's `binascii.a2b_qp` and mail
/// clients do: `=XX` in either case, `=` line breaks (also with white space between `=` and the
/// break) are soft, a broken escape is kept literally and counted.
struct QuotedPrintableDecoder {
    private enum State {
        case text
        case equals
        case equalsHex(UInt8)
        case equalsCR
        case equalsSpace(Int)
    }

    private var state = State.text
    private(set) var brokenEscapes = 0

    /// Decodes `count` bytes at `input` into `out` (room for count+256); returns bytes written.
    mutating func decode(_ input: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var index = 0
        var written = 0
        while index < count {
            switch state {
            case .text:
                // Copy the literal run up to the next '=' in one go.
                let rest = count - index
                if let found = memchr(input + index, 0x3D, rest) {
                    let run = UnsafeRawPointer(input + index).distance(to: UnsafeRawPointer(found))
                    (out + written).update(from: input + index, count: run)
                    written += run
                    index += run + 1
                    state = .equals
                } else {
                    (out + written).update(from: input + index, count: rest)
                    written += rest
                    index = count
                }
            case .equals:
                let byte = input[index]
                index += 1
                if byte == 0x0A {
                    state = .text
                } else if byte == 0x0D {
                    state = .equalsCR
                } else if Self.hexValue(byte) != nil {
                    state = .equalsHex(byte)
                } else if byte == 0x3D {
                    // "==": a2b_qp's reading of broken encoders' output is one literal '='.
                    out[written] = 0x3D
                    written += 1
                    brokenEscapes += 1
                    state = .text
                } else if byte == 0x20 || byte == 0x09 {
                    state = .equalsSpace(1)
                } else {
                    out[written] = 0x3D
                    written += 1
                    brokenEscapes += 1
                    index -= 1
                    state = .text
                }
            case .equalsHex(let first):
                let byte = input[index]
                if let high = Self.hexValue(first), let low = Self.hexValue(byte) {
                    out[written] = high << 4 | low
                    written += 1
                    index += 1
                } else {
                    out[written] = 0x3D
                    out[written + 1] = first
                    written += 2
                    brokenEscapes += 1
                }
                state = .text
            case .equalsCR:
                if input[index] == 0x0A { index += 1 }
                state = .text
            case .equalsSpace(let spaces):
                let byte = input[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0D {
                    index += 1
                    if spaces >= 64 {
                        // Not a soft break after all: flush what was held so memory stays bounded.
                        written += flushSpaces(spaces + 1, into: out + written)
                        state = .text
                    } else {
                        state = .equalsSpace(spaces + 1)
                    }
                } else if byte == 0x0A {
                    // RFC 2045 §6.7 (3): white space after a soft break's '=' is transport padding.
                    index += 1
                    state = .text
                } else {
                    written += flushSpaces(spaces, into: out + written)
                    state = .text
                }
            }
        }
        return written
    }

    /// Flushes an escape cut off by the end of the body; returns bytes written.
    mutating func finish(into out: UnsafeMutablePointer<UInt8>) -> Int {
        defer { state = .text }
        switch state {
        case .text, .equalsCR:
            return 0
        case .equals:
            // A trailing '=' is a soft break at the very end: nothing to write.
            return 0
        case .equalsHex(let first):
            brokenEscapes += 1
            out[0] = 0x3D
            out[1] = first
            return 2
        case .equalsSpace:
            return 0
        }
    }

    /// Writes '=' and `spaces` blanks for an '=' that turned out not to be a soft break.
    private mutating func flushSpaces(_ spaces: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        brokenEscapes += 1
        out[0] = 0x3D
        for offset in 0..<spaces { out[1 + offset] = 0x20 }
        return spaces + 1
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    func defects(path: String) -> [MIMEDefect] {
        guard brokenEscapes > 0 else { return [] }
        return [MIMEDefect(.invalidQuotedPrintableEscape, detail: "\(brokenEscapes) broken '=' escapes kept literally", path: path)]
    }
}
