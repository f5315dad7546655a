/// Text with `%` placeholders, filled in per message: `%v` virus names, `%r` rule names, `%i`
/// queue id, `%q` quarantine id, `%%` a percent sign. An unknown `%x` stays as written. Replies
/// (``ReplyTemplate``) and notifications share this one grammar.
public struct MessageTemplate: Sendable, Equatable {
    /// The text, before substitution.
    public var text: String

    public init(_ text: String) {
        self.text = text
    }

    /// The values one message fills in.
    public struct Values: Sendable, Equatable {
        public var viruses: [String]
        public var rules: [String]
        public var queueID: String
        /// Nil where there cannot be one (an SMTP reply is sent before anything is stored):
        /// `%q` then stays as written.
        public var quarantineID: String?

        public init(viruses: [String] = [], rules: [String] = [], queueID: String = "", quarantineID: String? = nil) {
            self.viruses = viruses
            self.rules = rules
            self.queueID = queueID
            self.quarantineID = quarantineID
        }
    }

    /// The text with placeholders filled in, literal.
    public func render(_ values: Values) -> String {
        var out = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "%", let next = iterator.next() else {
                out.append(character)
                continue
            }
            switch next {
            case "v": out += values.viruses.joined(separator: ", ")
            case "r": out += values.rules.joined(separator: ", ")
            case "i": out += values.queueID
            case "q" where values.quarantineID != nil: out += values.quarantineID ?? ""
            case "%": out += "%"
            default: out += "%\(next)"
            }
        }
        return out
    }
}
