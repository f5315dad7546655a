/// A raw RFC 5322 message split the way an MTA hands it to a milter: headers, then the body.
///
/// A folded header keeps its folding as Postfix passes it to a milter: each line break inside
/// the value is a bare LF and the continuation's leading white space stays (seen through real
/// Postfix 3.7: `Subject: a\r\n  b` arrives as `a\n  b`).
public struct MilterMessage: Sendable, Hashable {
    /// One header: its name and its value bytes after the colon (folding kept as LF; 8-bit bytes kept).
    public struct Header: Sendable, Hashable {
        /// The field name, without the colon.
        public var name: String
        /// The value bytes: folding line breaks as LF, leading white space removed unless asked to keep it.
        public var value: [UInt8]

        /// Creates a header.
        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    /// The headers in message order.
    public var headers: [Header]
    /// The body, with line endings as CRLF (what MTAs send to milters).
    public var body: [UInt8]

    /// Creates a message from parts.
    public init(headers: [Header], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }

    /// Splits raw message bytes (LF or CRLF line endings).
    ///
    /// The header block ends at the first empty line, or, as in Postfix, at the first line that
    /// is neither a header (`name:` with a printable name) nor a continuation; that line starts the
    /// body. Bare LF line endings in the body become CRLF.
    /// - Parameter keepLeadingSpace: keep the white space after the colon (SMFIP_HDR_LEADSPC).
    public init(parsing raw: [UInt8], keepLeadingSpace: Bool = false) {
        var headers: [Header] = []
        var position = 0
        var bodyStart = raw.count
        while position < raw.count {
            let lineEnd = Self.endOfLine(raw, from: position)
            var line = raw[position..<lineEnd.contentEnd]
            if line.isEmpty {
                bodyStart = lineEnd.next
                break
            }
            if line.first == 0x20 || line.first == 0x09, !headers.isEmpty {
                // Continuation: the line break stays, as LF, with the white space (as Postfix sends it).
                headers[headers.count - 1].value.append(0x0A)
                headers[headers.count - 1].value.append(contentsOf: line)
                position = lineEnd.next
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else {
                bodyStart = position
                break
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            line = line[(colon + 1)...]
            if !keepLeadingSpace {
                line = line.drop { $0 == 0x20 || $0 == 0x09 }
            }
            headers.append(Header(name: name, value: Array(line)))
            position = lineEnd.next
        }
        self.headers = headers
        self.body = Self.crlf(raw[min(bodyStart, raw.count)...])
    }

    /// Where the line starting at `start` ends (before CR LF or LF) and where the next begins.
    private static func endOfLine(_ raw: [UInt8], from start: Int) -> (contentEnd: Int, next: Int) {
        guard let newline = raw[start...].firstIndex(of: 0x0A) else {
            return (raw.count, raw.count)
        }
        let contentEnd = newline > start && raw[newline - 1] == 0x0D ? newline - 1 : newline
        return (contentEnd, newline + 1)
    }

    /// Turns bare LF into CRLF, leaving existing CRLF alone.
    private static func crlf(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D {
                result.append(0x0D)
            }
            result.append(byte)
            previous = byte
        }
        return result
    }
}
