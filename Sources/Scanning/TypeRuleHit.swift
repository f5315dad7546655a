/// One type rule that fired for an attachment, named so replies and logs can say which.
///
/// Names are stable strings: `banned-type:pe-executable`, `banned-extension:exe`,
/// `double-extension`, `bidi-override`, `lookalike-characters`, `type-mismatch:pdf-is-pe`
/// (the file name's extension disagrees with the content) and `content-type-mismatch:pdf-is-pe`
/// (the declared Content-Type disagrees with the content).
///
/// A mismatch is a ban only when the content can do harm where the label claims something
/// harmless (`type-mismatch:pdf-is-pe`, `type-mismatch:word-ooxml-is-word-macro`,
/// `type-mismatch:text-is-html-script`). One harmless format labelled as another (a PNG named
/// `.jpg`, a CSV declared `application/vnd.ms-excel`) keeps the same rule name but
/// ``isHarmless`` is true: it is recorded, never a reason to refuse the message.
public struct TypeRuleHit: Sendable, Hashable, CustomStringConvertible {
    /// Which family of rule fired; the policy can weigh them differently.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The detected content type is in a banned category.
        case bannedType = "banned-type"
        /// The file name's real extension is banned.
        case bannedExtension = "banned-extension"
        /// A decoy extension before a dangerous one: `invoice.pdf.exe`.
        case doubleExtension = "double-extension"
        /// The name contains Unicode bidirectional controls that reorder what the reader sees.
        case bidiOverride = "bidi-override"
        /// The name uses compatibility characters (full-width letters, dot look-alikes).
        case lookalikeCharacters = "lookalike-characters"
        /// The file name's extension disagrees with the detected type.
        case typeMismatch = "type-mismatch"
        /// The declared Content-Type disagrees with the detected type.
        case contentTypeMismatch = "content-type-mismatch"
    }

    /// Which family of rule fired.
    public var kind: Kind
    /// The specific case, e.g. `pe-executable`, `exe`, `pdf-is-pe`; empty when the kind says it all.
    public var qualifier: String
    /// A human-readable explanation for logs, e.g. the name or type that triggered it.
    public var detail: String
    /// A disagreement between harmless formats: recorded (log, header, metrics), never a ban.
    public var isHarmless: Bool

    /// Creates a hit; the name is derived from `kind` and `qualifier`.
    public init(_ kind: Kind, _ qualifier: String = "", detail: String, isHarmless: Bool = false) {
        self.kind = kind
        self.qualifier = qualifier
        self.detail = detail
        self.isHarmless = isHarmless
    }

    /// The rule's stable name, e.g. `banned-extension:exe`.
    public var name: String { qualifier.isEmpty ? kind.rawValue : "\(kind.rawValue):\(qualifier)" }

    public var description: String { "\(name) (\(detail)\(isHarmless ? ", harmless" : ""))" }
}
