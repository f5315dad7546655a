/// What libmagic says a piece of content is, whatever its name or declared type claims.
public struct DetectedType: Sendable, Hashable, Codable {
    /// The MIME type, e.g. `application/pdf` (libmagic's `MAGIC_MIME_TYPE`).
    public var mimeType: String
    /// The character encoding, e.g. `binary`, `us-ascii`, `utf-8` (libmagic's `MAGIC_MIME_ENCODING`).
    public var encoding: String
    /// The human-readable description, e.g. `PDF document, version 1.4`; empty when not asked for
    /// (see ``DescriptionPass``).
    public var description: String

    /// Creates a detected type from its parts.
    public init(mimeType: String, encoding: String, description: String) {
        self.mimeType = mimeType
        self.encoding = encoding
        self.description = description
    }
}

/// When libmagic's description is worth its second pass.
public enum DescriptionPass: Sendable, Hashable {
    /// Always: tools that show the description to people.
    case always
    /// Not for text (`text/*`): the MIME type already names every text format that matters to a
    /// type rule (scripts, batch files, HTML), and libmagic's text tests are its slowest, about
    /// 0.7 ms a pass on a few KB of mail text against a fraction of that for binaries.
    case exceptText
    /// Never: the MIME type and encoding only.
    case never
}
