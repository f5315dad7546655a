/// The header block of a raw message, for `show --headers` and for recovering an entry from a
/// file alone.
public enum MessageHeaders {
    /// The bytes before the first empty line (CRLF CRLF or LF LF), including the last header's
    /// line end; the whole message when it has no body.
    public static func block(of message: [UInt8]) -> ArraySlice<UInt8> {
        var index = 0
        var lineStart = 0
        while index < message.count {
            if message[index] == 10 {
                let line = message[lineStart..<index]
                if line.isEmpty || (line.count == 1 && line.first == 13) { return message[0..<lineStart] }
                lineStart = index + 1
            }
            index += 1
        }
        return message[...]
    }

    /// The first header called `name` (case-insensitive), unfolded, without surrounding spaces.
    public static func value(of name: String, in message: [UInt8]) -> String? {
        let text = String(decoding: block(of: message), as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map(String.init)
        lines = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        let prefix = name.lowercased() + ":"
        for (index, line) in lines.enumerated() where line.lowercased().hasPrefix(prefix) {
            var value = String(line.dropFirst(prefix.count))
            var next = index + 1
            while next < lines.count, let first = lines[next].first, first == " " || first == "\t" {
                value += lines[next]
                next += 1
            }
            return value.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in _: Whitespace) -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }

    fileprivate enum Whitespace { case whitespaces }
}
