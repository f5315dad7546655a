/// Turns a raw `filename`/`name` parameter into the name a mail client would save: RFC 2047
/// words decoded (non-standard in parameters, but what Outlook and Gmail send), directory
/// components stripped, and characters that disguise a name flagged.
enum FileNames {
    struct Cleaned {
        let name: String
        let defects: [(MIMEDefect.Name, String)]
        /// The name with its RFC 2047 words left as they are, when one of them was invalid: what
        /// a client that will not decode a broken word shows (and checks the extension of).
        var undecoded: String? = nil
    }

    static func clean(_ raw: String, decodingWords: Bool = true) -> Cleaned? {
        var defects: [(MIMEDefect.Name, String)] = []
        var name = raw
        var undecoded: String?
        if decodingWords && name.contains("=?") {
            let decoded = EncodedWords.decode(Array(name.utf8))
            name = decoded.text
            defects += decoded.defects
            if decoded.defects.contains(where: { $0.0 == .invalidEncodedWord }) {
                undecoded = clean(raw, decodingWords: false)?.name
            }
        }
        if let separator = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            let stripped = String(name[name.index(after: separator)...])
            defects.append((.fileNameWithPath, "directory components stripped from '\(printable(name))'"))
            name = stripped
        }
        guard !name.isEmpty else { return nil }
        let suspicious = name.unicodeScalars.filter(isSuspicious)
        if !suspicious.isEmpty {
            let codes = suspicious.prefix(8).map { "U+" + String($0.value, radix: 16, uppercase: true) }
            defects.append((.suspiciousFileNameCharacters, "file name '\(printable(name))' contains \(codes.joined(separator: " "))"))
        }
        return Cleaned(name: name, defects: defects, undecoded: undecoded)
    }

    /// Control characters (C0, DEL, C1) and the bidirectional marks and overrides that let
    /// "invoice\u{202E}fdp.exe" display as "invoiceexe.pdf".
    static func isSuspicious(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// The name with suspicious characters shown as escapes, safe for a defect's detail text.
    static func printable(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars.prefix(200) {
            if isSuspicious(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
