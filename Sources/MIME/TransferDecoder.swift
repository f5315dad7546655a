/// The transfer encodings the decoders know (RFC 2045 §6, plus uuencode as mail clients read it).
enum TransferEncoding: Sendable, Hashable {
    case identity
    case base64
    case quotedPrintable
    case uuencode

    /// Maps a lowercased Content-Transfer-Encoding value; unknown values decode as identity.
    init(_ name: String) {
        switch name {
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        case "x-uuencode", "uuencode", "x-uue", "uue": self = .uuencode
        default: self = .identity
        }
    }

    /// Whether `name` is a value this parser understands (others get `UnknownTransferEncoding`).
    static func isKnown(_ name: String) -> Bool {
        switch name {
        case "7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "uuencode", "x-uue", "uue":
            return true
        default:
            return false
        }
    }
}

/// One streaming decoder for a part: fed input chunks in order, writes output into a buffer the
/// caller sizes as input count times `maximumExpansion` plus `outputSlack`. The decoders write
/// through raw pointers without bounds checks, so these two bounds are what keep them in the buffer.
struct TransferDecoder {
    /// Extra output room that carried state may need (a held-back QP escape, a carried uu line).
    static let outputSlack = 256

    /// Output bytes per input byte at most. Only uuencode grows: a line is its length character
    /// and a line break ("M\n", 2 bytes) yet stands for up to 63 bytes, missing characters read
    /// as zeros (mail systems strip the trailing spaces that encode them).
    static func maximumExpansion(of encoding: TransferEncoding) -> Int {
        encoding == .uuencode ? 32 : 1
    }

    private var encoding: TransferEncoding
    private var base64 = Base64Decoder()
    private var quotedPrintable = QuotedPrintableDecoder()
    private var uu = UUDecoder()

    init(encoding: TransferEncoding) {
        self.encoding = encoding
    }

    /// Decodes one chunk; returns the number of bytes written to `out`.
    mutating func decode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let source = input.baseAddress, let target = out.baseAddress, !input.isEmpty else { return 0 }
        let bytes = source.assumingMemoryBound(to: UInt8.self)
        switch encoding {
        case .identity:
            target.update(from: bytes, count: input.count)
            return input.count
        case .base64:
            return base64.decode(bytes, count: input.count, into: target)
        case .quotedPrintable:
            return quotedPrintable.decode(bytes, count: input.count, into: target)
        case .uuencode:
            return uu.decode(bytes, count: input.count, into: target)
        }
    }

    /// Flushes carried state at the end of the input; returns the bytes written.
    mutating func finish(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let target = out.baseAddress else { return 0 }
        switch encoding {
        case .identity: return 0
        case .base64: return base64.finish(into: target)
        case .quotedPrintable: return quotedPrintable.finish(into: target)
        case .uuencode: return uu.finish(into: target)
        }
    }

    /// The defects decoding found, attributed to the part at `path`.
    func defects(path: String) -> [MIMEDefect] {
        switch encoding {
        case .identity: return []
        case .base64: return base64.defects(path: path)
        case .quotedPrintable: return quotedPrintable.defects(path: path)
        case .uuencode: return uu.defects(path: path)
        }
    }
}
