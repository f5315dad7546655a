/// A part's content after transfer decoding, with what decoding found wrong.
public struct DecodedContent: Sendable {
    /// The decoded bytes (cut at the decoded-size limit when `isTruncated`).
    public let bytes: [UInt8]
    /// Defects found while decoding (invalid base64 characters, broken escapes, a size limit).
    public let defects: [MIMEDefect]
    /// Whether a decoded-size limit cut the content short.
    public let isTruncated: Bool
}

/// What a streaming decode produced, without the bytes themselves.
public struct DecodeSummary: Sendable {
    /// Decoded bytes handed to the consumer.
    public let size: Int
    /// Defects found while decoding.
    public let defects: [MIMEDefect]
    /// Whether a decoded-size limit cut the content short.
    public let isTruncated: Bool
}

extension MIMEPart {
    /// The decoded content, bounded by the per-part limit (see `decode()` for the defects).
    public func decoded() -> [UInt8] {
        decode().bytes
    }

    /// The decoded content and decoding defects, bounded by the per-part limit.
    public func decode() -> DecodedContent {
        var budget = DecodingBudget(remaining: decodeLimit)
        return decode(budget: &budget)
    }

    /// The decoded content, bounded by the per-part limit and by what `budget` has left; the
    /// budget is charged with what was produced.
    public func decode(budget: inout DecodingBudget) -> DecodedContent {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(estimatedDecodedSize, decodeLimit, budget.remaining))
        let summary = decode(budget: &budget) { bytes.append(contentsOf: $0) }
        return DecodedContent(bytes: bytes, defects: summary.defects, isTruncated: summary.isTruncated)
    }

    /// Streams the decoded content to `consume` in chunks of at most about `chunkSize` bytes,
    /// bounded by the per-part limit. A chunk is only valid for the call (its buffer is reused).
    public func decode(
        chunkSize: Int = 64 * 1024,
        _ consume: (ArraySlice<UInt8>) throws -> Void
    ) rethrows -> DecodeSummary {
        var budget = DecodingBudget(remaining: decodeLimit)
        return try decode(chunkSize: chunkSize, budget: &budget, consume)
    }

    /// Streams the decoded content, bounded by the per-part limit and by `budget`, which is
    /// charged with what was produced.
    public func decode(
        chunkSize: Int = 64 * 1024,
        budget: inout DecodingBudget,
        _ consume: (ArraySlice<UInt8>) throws -> Void
    ) rethrows -> DecodeSummary {
        try stream(encoding: effectiveEncoding, chunkSize: chunkSize, budget: &budget, consume)
    }

    /// The body decoded with `encoding` whatever the part's type (for readings that decode what
    /// RFC 2045 says must not be encoded), bounded by the per-part limit.
    func decodedBody(as encoding: TransferEncoding) -> [UInt8] {
        var budget = DecodingBudget(remaining: decodeLimit)
        var bytes: [UInt8] = []
        _ = stream(encoding: encoding, chunkSize: 64 * 1024, budget: &budget) { bytes.append(contentsOf: $0) }
        return bytes
    }

    private func stream(
        encoding: TransferEncoding,
        chunkSize: Int,
        budget: inout DecodingBudget,
        _ consume: (ArraySlice<UInt8>) throws -> Void
    ) rethrows -> DecodeSummary {
        let limit = min(decodeLimit, budget.remaining)
        var decoder = TransferDecoder(encoding: encoding)
        // Small bodies get a small buffer: zeroing 64 KiB for a 2 KiB text part is most of its cost.
        let expansion = TransferDecoder.maximumExpansion(of: encoding)
        let inputChunk = max(16, min(chunkSize / expansion, bodyRange.count))
        var output = [UInt8](repeating: 0, count: inputChunk * expansion + TransferDecoder.outputSlack)
        var produced = 0
        var truncated = false

        try message.withUnsafeBytes { all in
            let whole = UnsafeRawBufferPointer(rebasing: all[bodyRange])
            var start = 0
            var finished = false
            while !finished {
                let input: UnsafeRawBufferPointer
                if start < whole.count {
                    let end = Self.chunkEnd(whole, from: start, maximum: inputChunk)
                    input = UnsafeRawBufferPointer(rebasing: whole[start..<end])
                    start = end
                } else {
                    input = UnsafeRawBufferPointer(start: nil, count: 0)
                    finished = true
                }
                var count = output.withUnsafeMutableBufferPointer { out in
                    finished ? decoder.finish(into: out) : decoder.decode(input, into: out)
                }
                if produced + count > limit {
                    count = limit - produced
                    truncated = true
                }
                if count > 0 {
                    try consume(output[0..<count])
                    produced += count
                }
                if truncated { break }
            }
        }
        budget.remaining -= produced
        var found = decoder.defects(path: path)
        if truncated {
            found.append(MIMEDefect(
                .decodedSizeLimitExceeded,
                detail: "decoded content cut at \(limit) bytes", path: path
            ))
        }
        return DecodeSummary(size: produced, defects: found, isTruncated: truncated)
    }

    /// The encoding decoding really uses: multiparts and enclosed messages are never decoded
    /// (RFC 2045 §6.4), and an unknown encoding leaves the body as it is.
    var effectiveEncoding: TransferEncoding {
        if origin == .uuencodedBlock { return .uuencode }
        if contentType.isMultipart && !children.isEmpty { return .identity }
        return TransferEncoding(transferEncoding)
    }

    /// An upper bound guess for reserving output: every decoding shrinks or keeps the size.
    var estimatedDecodedSize: Int {
        effectiveEncoding == .base64 ? bodyRange.count / 4 * 3 + 3 : bodyRange.count
    }

    /// Where the next input chunk should end: at a line end when one is near, so line-based
    /// decoders rarely see a line cut in two.
    static func chunkEnd(_ whole: UnsafeRawBufferPointer, from start: Int, maximum: Int) -> Int {
        let hardEnd = min(whole.count, start + maximum)
        guard hardEnd < whole.count, let base = whole.baseAddress else { return hardEnd }
        // Look back a little for a line break; lines in mail are short, so this rarely scans far.
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var end = hardEnd
        let floor = max(start + maximum / 2, hardEnd - 4096)
        while end > floor {
            if bytes[end - 1] == 0x0A { return end }
            end -= 1
        }
        return hardEnd
    }
}
