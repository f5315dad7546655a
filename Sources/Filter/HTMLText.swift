/// HTML reduced to the text a reader sees, well enough to find a password in it: tags become
/// nothing (block tags a line break, table cells a space), common entities are decoded, and
/// `<script>`/`<style>` content is dropped.
enum HTMLText {
    /// Tags after which a mail client starts a new line.
    static let blockTags: Set<String> = ["br", "p", "/p", "div", "/div", "tr", "/tr", "li", "/li", "h1", "h2", "h3", "/h1", "/h2", "/h3", "table", "/table"]
    /// Named entities decoded; others stay as written.
    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
        "ldquo": "“", "rdquo": "”", "bdquo": "„", "lsquo": "‘", "rsquo": "’", "auml": "ä", "ouml": "ö", "uuml": "ü",
        "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß", "eacute": "é", "egrave": "è", "agrave": "à",
        "ccedil": "ç", "ntilde": "ñ", "atilde": "ã", "otilde": "õ", "ecirc": "ê",
    ]

    /// The text of `html`.
    static func reduce(_ html: String) -> String {
        var output = ""
        var index = html.startIndex
        var skipping: String?
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                let inside = html[html.index(after: index)..<close].lowercased()
                var name = String(inside.prefix { $0.isLetter || $0.isNumber || $0 == "/" })
                if name.count > 1, name.hasSuffix("/") { name.removeLast() }  // <br/>
                if let waiting = skipping {
                    if name == "/" + waiting { skipping = nil }
                } else if name == "script" || name == "style" {
                    skipping = name
                } else if blockTags.contains(name) {
                    output.append("\n")
                } else if name == "td" || name == "th" {
                    output.append(" ")
                }
                index = html.index(after: close)
                continue
            }
            if skipping == nil {
                if character == "&", let semicolon = html[index...].prefix(12).firstIndex(of: ";") {
                    let entity = String(html[html.index(after: index)..<semicolon])
                    if let decoded = decode(entity) {
                        output.append(decoded)
                        index = html.index(after: semicolon)
                        continue
                    }
                }
                output.append(character)
            }
            index = html.index(after: index)
        }
        return output
    }

    /// A named or numeric entity's text, nil when unknown.
    static func decode(_ entity: String) -> String? {
        if let named = entities[entity] { return named }
        guard entity.hasPrefix("#") else { return nil }
        let digits = entity.dropFirst()
        let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
