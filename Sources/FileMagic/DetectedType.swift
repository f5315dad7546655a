/// What libmagic says a piece of content is, whatever its name or declared type claims.
public struct DetectedType: Sendable, Hashable, Codable {
    /// The MIME type, e.g. `application/pdf` (libmagic's `MAGIC_MIME_TYPE`).
    public var mimeType: String
    /// The character encoding, e.g. `binary`, `us-ascii`, `utf-8` (libmagic's `MAGIC_MIME_ENCODING`).
    public var encoding: String
    /// The human-readable description, e.g. `PDF document, version 1.4`; empty when not asked for.
    public var description: String

    public init(mimeType: String, encoding: String, description: String) {
        self.mimeType = mimeType
        self.encoding = encoding
        self.description = description
    }
}
