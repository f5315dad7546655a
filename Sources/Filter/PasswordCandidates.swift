import MIME

/// Passwords a message gives for its own encrypted attachments ("Password: Tr7!kq9",
/// "das Kennwort lautet ...", "la contraseña es ..."), found in its subject and text parts, to be
/// tried on archives it carries. Pure text work: no archive is touched here.
public enum PasswordCandidates {
    /// Words that introduce a password, lowercased, in English, German, French, Spanish, Italian,
    /// Portuguese and Dutch. Matched on word boundaries; longer phrases first.
    static let keywords: [String] = [
        "mot de passe", "parola d'ordine", "parola d’ordine", "parola chiave", "palavra-passe", "palavra passe",
        "contraseña", "contrasena", "passwort", "kennwort", "password", "passcode", "passwd", "wachtwoord",
        "senha", "clave", "mdp", "pwd", "pass", "pw", "kw",
    ]

    /// Words between a keyword and the password that are not it: "the password *for the zip
    /// is* X", "das Passwort *lautet* X", "la contraseña *del archivo es* X".
    static let fillers: Set<String> = [
        "is", "was", "will", "be", "for", "of", "to", "the", "a", "an", "this", "that", "zip", "file", "archive",
        "attachment", "attached", "document", "it", "open", "opening", "use", "please", "same", "as", "here",
        "ist", "lautet", "für", "fur", "den", "die", "der", "das", "dem", "zum", "zur", "öffnen", "anhang", "datei",
        "archiv", "lautet:", "wie", "immer",
        "est", "du", "de", "la", "le", "les", "pour", "fichier", "pièce", "jointe", "archive:", "c'est", "sera",
        "es", "del", "el", "para", "archivo", "adjunto", "abrir", "será",
        "è", "e", "per", "il", "lo", "dell'allegato", "l'allegato", "allegato", "aprire", "sarà",
        "é", "do", "da", "o", "arquivo", "anexo", "será:",
        "het", "voor", "van", "bestand", "bijlage", "zip-bestand", "openen", "luidt",
    ]

    /// Pairs of quotes a password may stand between.
    static let quotes: [(Character, Character)] = [
        ("\"", "\""), ("'", "'"), ("“", "”"), ("„", "“"), ("«", "»"), ("‘", "’"), ("`", "`"), ("‹", "›"),
    ]

    /// Characters cut from the end of a token (sentence punctuation), the raw token being tried
    /// after the cut one.
    static let trailing: Set<Character> = [".", ",", ";", ":", ")", "]", "}", "!", "?", ">", "»", "”", "\"", "'"]

    /// Candidates in `texts` (the subject first, then each text part), in the order found,
    /// without duplicates, at most `limit`.
    public static func extract(from texts: [String], limit: Int) -> [String] {
        var found: [String] = []
        func add(_ candidate: String) {
            let token = candidate.trimmingWhitespace()
            guard !token.isEmpty, token.count <= 128, found.count < limit, !found.contains(token) else { return }
            found.append(token)
        }
        for text in texts {
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
                Self.unquoteReply(String($0))
            }
            for (index, line) in lines.enumerated() {
                let lowered = line.lowercased()
                guard let after = Self.endOfFirstKeyword(in: lowered) else { continue }
                // Same offsets in `line` and `lowered` hold only when lowercasing kept the length.
                let rest = lowered.count == line.count ? String(line.dropFirst(after)) : String(lowered.dropFirst(after))
                for quoted in Self.quotedTokens(in: rest) { add(quoted) }
                var words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" || $0 == ":" }).map(String.init)
                words.removeAll { Self.fillers.contains($0.lowercased()) || $0.allSatisfy { "-–—:=(".contains($0) } }
                if let first = words.first {
                    for variant in Self.variants(first) { add(variant) }
                    if let last = words.last, words.count > 1 { for variant in Self.variants(last) { add(variant) } }
                } else if let next = lines[(index + 1)...].first(where: { !$0.trimmingWhitespace().isEmpty }) {
                    for quoted in Self.quotedTokens(in: next) { add(quoted) }
                    let trimmed = next.trimmingWhitespace()
                    if let token = trimmed.split(separator: " ").first { for variant in Self.variants(String(token)) { add(variant) } }
                    add(trimmed)
                }
            }
            if found.count >= limit { break }
        }
        return found
    }

    /// The offset just after the first keyword in `line` (on word boundaries), nil when none.
    static func endOfFirstKeyword(in line: String) -> Int? {
        let characters = Array(line)
        var best: (start: Int, end: Int)?
        for keyword in keywords {
            let pattern = Array(keyword)
            guard pattern.count <= characters.count else { continue }
            var start = 0
            while start + pattern.count <= characters.count {
                if Array(characters[start..<(start + pattern.count)]) == pattern,
                   start == 0 || !characters[start - 1].isLetter,
                   start + pattern.count == characters.count || !characters[start + pattern.count].isLetter {
                    if start < best?.start ?? .max { best = (start, start + pattern.count) }
                    break
                }
                start += 1
            }
        }
        return best?.end
    }

    /// Text between each pair of quotes in `text`.
    static func quotedTokens(in text: String) -> [String] {
        var tokens: [String] = []
        for (open, close) in quotes {
            var rest = Substring(text)
            while let start = rest.firstIndex(of: open) {
                let after = rest[rest.index(after: start)...]
                guard let end = after.firstIndex(of: close) else { break }
                let token = after[..<end]
                // An apostrophe inside a word ("d'ordine") is not a quote.
                if !token.isEmpty, token.count <= 64, !(open == "'" && start > rest.startIndex && rest[rest.index(before: start)].isLetter) {
                    tokens.append(String(token))
                }
                rest = after[after.index(after: end)...]
            }
        }
        return tokens
    }

    /// `token` with sentence punctuation cut from its end, then as written.
    static func variants(_ token: String) -> [String] {
        var cut = Substring(token)
        while let last = cut.last, trailing.contains(last) { cut = cut.dropLast() }
        var leading = cut
        while let first = leading.first, "(\"'“„«‘[".contains(first) { leading = leading.dropFirst() }
        return [String(leading), token]
    }

    /// `line` without the `>` marks of a quoted reply.
    static func unquoteReply(_ line: String) -> String {
        var rest = Substring(line)
        while let first = rest.first, first == ">" || first == " " { rest = rest.dropFirst() }
        return String(rest)
    }

    /// The texts of `message` a password is looked for in: the subject, then every text/plain
    /// and text/html leaf (HTML reduced to text), each decoded up to `maxBytesPerPart`.
    static func texts(of message: ParsedMessage, maxBytesPerPart: Int = 256 * 1024) -> [String] {
        var texts: [String] = []
        if let subject = message.root.decodedHeader("Subject") { texts.append(subject) }
        for leaf in message.leaves + message.alternativeLeaves {
            let type = leaf.contentType.mimeType.lowercased()
            guard type == "text/plain" || type == "text/html" else { continue }
            var budget = DecodingBudget(remaining: maxBytesPerPart)
            let bytes = leaf.decode(budget: &budget).bytes
            let text = Self.string(bytes, charset: leaf.charset)
            texts.append(type == "text/html" ? HTMLText.reduce(text) : text)
        }
        return texts
    }

    /// `bytes` as text: Latin-1 and Windows-1252 byte for byte, anything else as UTF-8 (repaired).
    static func string(_ bytes: [UInt8], charset: String?) -> String {
        let name = charset ?? ""
        if name.contains("8859") || name.contains("1252") || name == "latin1" {
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing whitespace (spaces, tabs, no-break spaces, line breaks).
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
