/// Splits one entity's header block into fields (RFC 5322 §2.2), tolerant of bare LF, folding,
/// obsolete white space before the colon, and a body that starts without the empty line.
struct HeaderScanner {
    /// One entity's header: fields as byte ranges, where the header and the body start.
    struct Block {
        var fields: [RawHeaderField] = []
        var headerRange: Range<Int>
        var bodyStart: Int
        var defects: [(MIMEDefect.Name, String)] = []
        /// A `Content-*` field follows the line that started the body: readers that skip stray
        /// lines see a different entity, so that reading is worth building.
        var contentFieldAfterStrayLine = false
    }

    let base: UnsafePointer<UInt8>
    let limits: MIMEParser.Limits

    /// Scans the header starting at `start`, stopping at `limit` or at a line for which
    /// `isBoundary` is true (an enclosing boundary ends a header as it ends a body). With
    /// `skipNonFieldLines`, a line that is no field is passed over instead of starting the body
    /// (how some readers take it; it is an alternative reading, see `AlternativeReadings`).
    func scan(
        from start: Int, limit: Int, skipEnvelopeLine: Bool, skipNonFieldLines: Bool = false, isBoundary: (Int) -> Bool
    ) -> Block {
        var position = start
        if skipEnvelopeLine && ByteScan.matches(Self.envelopePrefix, in: base, at: position, limit: limit) {
            // An mbox "From " envelope line before the header (Python keeps it as the unixfrom).
            position = ByteScan.lineEnd(base, from: position, limit: limit).next
        }
        let headerStart = position
        var block = Block(headerRange: headerStart..<headerStart, bodyStart: limit)
        var current: (name: Range<Int>, valueStart: Int, valueEnd: Int)?
        var headerEnd = headerStart
        var truncated = false
        var tooMany = false
        let byteLimit = headerStart + limits.maxHeaderBytes

        func flush() {
            guard let field = current else { return }
            block.fields.append(RawHeaderField(name: field.name, value: field.valueStart..<max(field.valueStart, field.valueEnd)))
            current = nil
        }

        while position < limit {
            let line = ByteScan.lineEnd(base, from: position, limit: limit)
            if line.content == position {
                // The empty line: the header ends, the body follows it.
                headerEnd = position
                block.bodyStart = line.next
                break
            }
            let first = base[position]
            if first == 0x2D && position + 1 < limit && base[position + 1] == 0x2D && isBoundary(position) {
                headerEnd = position
                block.bodyStart = position
                break
            }
            if position >= byteLimit {
                truncated = true
            }
            if ByteScan.isBlank(first) {
                if current != nil {
                    if !truncated { current?.valueEnd = min(line.content, byteLimit) }
                } else if block.fields.isEmpty && position == headerStart {
                    block.defects.append((.firstHeaderLineIsContinuation, "the header's first line starts with white space"))
                }
                headerEnd = line.next
                position = line.next
                continue
            }
            guard let name = fieldName(from: position, lineEnd: line.content) else {
                if skipNonFieldLines {
                    flush()
                    headerEnd = line.next
                    position = line.next
                    continue
                }
                // Not a field: the body starts here without the empty line (Python's reading).
                block.defects.append((.missingHeaderBodySeparator, "line at offset \(position) is not a header field; body starts there"))
                block.contentFieldAfterStrayLine = contentField(after: line.next, limit: min(limit, byteLimit), isBoundary: isBoundary)
                headerEnd = position
                block.bodyStart = position
                break
            }
            flush()
            if name.obsolete {
                block.defects.append((.obsoleteHeaderSyntax, "white space before the colon of a field name"))
            }
            if !truncated {
                if block.fields.count >= limits.maxHeaderFields {
                    tooMany = true
                } else {
                    current = (name.range, name.colon + 1, min(line.content, byteLimit))
                }
            }
            headerEnd = line.next
            position = line.next
        }
        flush()
        if position >= limit {
            headerEnd = limit
            block.bodyStart = limit
        }
        block.headerRange = headerStart..<max(headerStart, headerEnd)
        if truncated || headerEnd - headerStart > limits.maxHeaderBytes {
            block.defects.append((.headerTooLong, "header block of \(headerEnd - headerStart) bytes; only the first \(limits.maxHeaderBytes) read"))
        }
        if tooMany {
            block.defects.append((.tooManyHeaderFields, "more than \(limits.maxHeaderFields) header fields; the rest ignored"))
        }
        return block
    }

    /// Whether a `Content-` field comes before the next empty or boundary line, looking no
    /// further than `limit` (the header byte limit: a stray line costs at most one more scan).
    private func contentField(after start: Int, limit: Int, isBoundary: (Int) -> Bool) -> Bool {
        var position = start
        while position < limit {
            let line = ByteScan.lineEnd(base, from: position, limit: limit)
            if line.content == position { return false }
            if base[position] == 0x2D && isBoundary(position) { return false }
            if ByteScan.matchesIgnoringCase(Self.contentPrefix, in: base, at: position, limit: line.content),
               fieldName(from: position, lineEnd: line.content) != nil {
                return true
            }
            position = line.next
        }
        return false
    }

    private static let contentPrefix = Array("content-".utf8)

    /// The field name of a line (`Name:` or obsolete `Name :`), or nil if the line is no field.
    private func fieldName(from start: Int, lineEnd: Int) -> (range: Range<Int>, colon: Int, obsolete: Bool)? {
        guard let colon = ByteScan.find(0x3A, in: base, from: start, limit: lineEnd) else { return nil }
        var nameEnd = colon
        while nameEnd > start && ByteScan.isBlank(base[nameEnd - 1]) { nameEnd -= 1 }
        guard nameEnd > start else { return nil }
        for offset in start..<nameEnd {
            let byte = base[offset]
            guard byte > 0x20 && byte < 0x7F else { return nil }
        }
        return (start..<nameEnd, colon, nameEnd != colon)
    }

    private static let envelopePrefix = Array("From ".utf8)
}
