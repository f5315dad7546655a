import Milter

/// One `X-Sample-Action:` instruction.
enum SampleInstruction: Equatable {
    case addHeader(name: String, value: String)
    case insertHeader(index: Int, name: String, value: String)
    case changeHeader(name: String, index: Int, value: String)
    case addRecipient(String, ESMTPParameters)
    case deleteRecipient(String)
    /// Delete every recipient as the MTA sent it (bytes that are not UTF-8 included).
    case deleteReceivedRecipients
    case changeFrom(String, ESMTPParameters)
    case replaceBody(String)
    case quarantine(reason: String)
    case progress
    case reply(SMTPReply)
    case tempfail
    case discard
    case accept
    case `throw`
    case skip
    /// Answered by the header callback itself (a no-reply step by default), not at end of message.
    case rejectInHeader

    /// Why an instruction could not be understood.
    struct ParseError: Error, CustomStringConvertible {
        let instruction: String
        let reason: String
        var description: String { "X-Sample-Action \"\(instruction)\": \(reason)" }
    }

    /// Parses the header value, e.g. `addheader X-Foo some value`.
    init(parsing text: String) throws {
        var words = Words(text)
        func fail(_ reason: String) -> ParseError { ParseError(instruction: text, reason: reason) }
        func word(_ what: String) throws -> String {
            guard let word = words.next() else { throw fail("missing \(what)") }
            return word
        }
        func number(_ what: String) throws -> Int {
            let text = try word(what)
            guard let value = Int(text), value >= 0 else { throw fail("\(what) \"\(text)\" is not a number") }
            return value
        }
        let verb = try word("action").lowercased()
        switch verb {
        case "addheader":
            self = .addHeader(name: try word("header name"), value: words.rest)
        case "insheader":
            let index = try number("index")
            self = .insertHeader(index: index, name: try word("header name"), value: words.rest)
        case "chgheader":
            let name = try word("header name")
            self = .changeHeader(name: name, index: try number("index"), value: words.rest)
        case "addrcpt":
            self = .addRecipient(try word("address"), ESMTPParameters(parsing: words.rest))
        case "delrcpt-received":
            self = .deleteReceivedRecipients
        case "delrcpt":
            self = .deleteRecipient(try word("address"))
        case "chgfrom":
            self = .changeFrom(try word("address"), ESMTPParameters(parsing: words.rest))
        case "replacebody":
            self = .replaceBody(words.rest)
        case "quarantine":
            guard !words.rest.isEmpty else { throw fail("missing reason") }
            self = .quarantine(reason: words.rest)
        case "progress": self = .progress
        case "reply":
            let code = try word("code")
            let extended = try word("enhanced code")
            let lines = words.rest.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard let number = Int(code) else { throw fail("code \"\(code)\" is not a number") }
            do {
                self = .reply(try SMTPReply(code: number, enhancedCode: extended, lines: lines))
            } catch {
                throw fail("\(error)")
            }
        case "tempfail": self = .tempfail
        case "discard": self = .discard
        case "accept": self = .accept
        case "throw": self = .throw
        case "skip": self = .skip
        case "reject-in-header": self = .rejectInHeader
        default:
            throw fail("unknown action \"\(verb)\"")
        }
    }
}

/// Splits an instruction into space-separated words, keeping the rest of the line whole.
private struct Words {
    private var remaining: Substring

    init(_ text: String) {
        remaining = Substring(text).drop { $0 == " " || $0 == "\t" }
    }

    mutating func next() -> String? {
        guard !remaining.isEmpty else { return nil }
        let word = remaining.prefix { $0 != " " && $0 != "\t" }
        remaining = remaining.dropFirst(word.count).drop { $0 == " " || $0 == "\t" }
        return String(word)
    }

    /// Everything not yet taken, without trailing white space or line ends.
    var rest: String {
        var text = remaining
        while let last = text.last, last == " " || last == "\t" || last == "\r" || last == "\n" || last == "\r\n" {
            text = text.dropLast()
        }
        return String(text)
    }
}
