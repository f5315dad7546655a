import MIME

/// Parses a hand-written message; `crlf` turns its "\n" line ends into "\r\n" as on the wire.
func parse(_ text: String, crlf: Bool = true, limits: MIMEParser.Limits = .init()) -> ParsedMessage {
    MIMEParser(limits: limits).parse(bytes(text, crlf: crlf))
}

/// The message's bytes, with CR LF line ends unless `crlf` is false.
func bytes(_ text: String, crlf: Bool = true) -> [UInt8] {
    let normalized = crlf ? text.replacingLineEnds() : text
    return Array(normalized.utf8)
}

/// The decoded content of a part as UTF-8 text.
func text(of part: MIMEPart) -> String {
    String(decoding: part.decoded(), as: UTF8.self)
}

/// The defect names of a parsed message.
func defectNames(_ parsed: ParsedMessage) -> Set<String> {
    Set(parsed.defects.map(\.name))
}

extension String {
    /// "\n" to "\r\n", leaving existing "\r\n" alone.
    func replacingLineEnds() -> String {
        var out = ""
        var previous: Character?
        for character in self {
            if character == "\n" && previous != "\r" { out.append("\r\n") } else { out.append(character) }
            previous = character
        }
        return out
    }
}
