/// Decodes RFC 2047 encoded words (`=?charset?B?...?=`, `=?charset?Q?...?=`) in header text.
///
/// Tolerant like mail clients: words are decoded even when glued to other text, white space
/// between adjacent words is dropped (RFC 2047 §6.2), and the bytes of adjacent words in the same
/// charset are joined before conversion, so a UTF-8 character split across two words survives.
enum EncodedWords {
    static func decode(_ bytes: [UInt8]) -> (text: String, defects: [(MIMEDefect.Name, String)]) {
        var defects: [(MIMEDefect.Name, String)] = []
        var text = ""
        var pendingCharset: String?
        var pendingBytes: [UInt8] = []
        var literalStart = 0
        var lastWasWord = false
        var index = 0
        let count = bytes.count

        func flushPending() {
            guard let charset = pendingCharset else { return }
            if let decoded = Charsets.decode(pendingBytes, charset: charset) {
                text += decoded
            } else {
                defects.append((.unknownCharset, "charset '\(charset.prefix(40))' in an encoded word"))
                text += Charsets.decodeLenient(pendingBytes)
            }
            pendingCharset = nil
            pendingBytes = []
        }

        while index + 1 < count {
            guard bytes[index] == 0x3D && bytes[index + 1] == 0x3F else {
                index += 1
                continue
            }
            let parsed = parseWord(bytes, at: index)
            if parsed.unterminated {
                // No "?=" follows, so no later "=?" can start a word either: stop (keeps this linear).
                defects.append((.invalidEncodedWord, "encoded word without its closing '?='; kept as text"))
                break
            }
            guard let word = parsed.word else {
                index += 1
                continue
            }
            let literal = bytes[literalStart..<index]
            let onlyBlanks = literal.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
            if !(lastWasWord && onlyBlanks) {
                flushPending()
                text += Charsets.decodeLenient(literal)
            }
            var payload: [UInt8]
            if word.isBase64 {
                payload = decodeBase64(bytes[word.payload])
            } else {
                payload = decodeQ(bytes[word.payload])
            }
            if word.isBase64 && !isCleanBase64(bytes[word.payload]) {
                defects.append((.invalidEncodedWord, "encoded word with invalid base64"))
            }
            if !word.isBase64 && !isCleanQ(bytes[word.payload]) {
                defects.append((.invalidEncodedWord, "encoded word with a broken Q escape or a blank"))
            }
            let charset = Charsets.normalized(word.charset)
            if pendingCharset != charset { flushPending() }
            pendingCharset = charset
            pendingBytes.append(contentsOf: payload)
            payload = []
            index = word.end
            literalStart = index
            lastWasWord = true
        }
        flushPending()
        if literalStart < count {
            text += Charsets.decodeLenient(bytes[literalStart...])
        }
        return (text, defects)
    }

    /// An encoded word starting at `start`: its charset, encoding, payload range and end.
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> (word: Word?, unterminated: Bool) {
        guard let terminatorSearch = wordHead(bytes, at: start) else { return (nil, false) }
        let (charset, isBase64, payloadStart) = terminatorSearch
        let count = bytes.count
        var end = payloadStart
        while end + 1 < count {
            if bytes[end] == 0x3F && bytes[end + 1] == 0x3D { break }
            end += 1
        }
        guard end + 1 < count else { return (nil, true) }
        return (Word(charset: charset, isBase64: isBase64, payload: payloadStart..<end, end: end + 2), false)
    }

    /// A decoded-to-be word: charset, encoding, payload range, and the offset after `?=`.
    private struct Word {
        let charset: String
        let isBase64: Bool
        let payload: Range<Int>
        let end: Int
    }

    /// The `=?charset?X?` head of a word: charset, whether B, and where the payload starts.
    private static func wordHead(_ bytes: [UInt8], at start: Int) -> (String, Bool, Int)? {
        let count = bytes.count
        var index = start + 2
        let charsetStart = index
        while index < count && bytes[index] != 0x3F {
            let byte = bytes[index]
            // Charset names are tokens: no blanks, no specials that would end the word.
            if byte <= 0x20 || byte >= 0x7F || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < count, bytes[index + 2] == 0x3F else { return nil }
        let encoding = bytes[index + 1] | 0x20
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        let charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        return (charset, encoding == 0x62, index + 3)
    }

    private static func decodeBase64(_ payload: ArraySlice<UInt8>) -> [UInt8] {
        var decoder = Base64Decoder()
        var output = [UInt8](repeating: 0, count: payload.count + 8)
        let written = payload.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                guard let source = input.baseAddress, let target = out.baseAddress else { return 0 }
                let body = decoder.decode(source, count: input.count, into: target)
                return body + decoder.finish(into: target + body)
            }
        }
        return Array(output[0..<written])
    }

    private static func isCleanBase64(_ payload: ArraySlice<UInt8>) -> Bool {
        payload.allSatisfy { Base64Decoder.table[Int($0)] < 64 || $0 == 0x3D }
    }

    /// Q text has no blanks and every `=` starts two hex digits (RFC 2047 §4.2).
    private static func isCleanQ(_ payload: ArraySlice<UInt8>) -> Bool {
        var index = payload.startIndex
        while index < payload.endIndex {
            let byte = payload[index]
            if byte == 0x20 || byte == 0x09 { return false }
            if byte == 0x3D {
                guard index + 2 < payload.endIndex, QuotedPrintableDecoder.hexValue(payload[index + 1]) != nil,
                      QuotedPrintableDecoder.hexValue(payload[index + 2]) != nil
                else { return false }
                index += 3
                continue
            }
            index += 1
        }
        return true
    }

    /// The Q encoding (RFC 2047 §4.2): `_` is a space, `=XX` a byte.
    private static func decodeQ(_ payload: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count)
        var index = payload.startIndex
        while index < payload.endIndex {
            let byte = payload[index]
            if byte == 0x5F {
                out.append(0x20)
                index += 1
            } else if byte == 0x3D, index + 2 < payload.endIndex,
                      let high = QuotedPrintableDecoder.hexValue(payload[index + 1]),
                      let low = QuotedPrintableDecoder.hexValue(payload[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }
}
