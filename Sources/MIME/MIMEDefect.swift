/// One oddity the parser met: a name from `MIMEDefect.Name` and a human explanation.
///
/// Defects are never fatal: the parser records them and keeps going, the way Python's `email`
/// package does, so a policy can decide what a malformed message deserves.
public struct MIMEDefect: Sendable, Hashable, CustomStringConvertible {
    /// The defect's kind, one of `MIMEDefect.Name`'s raw values (stable; used in JSON and logs).
    public let name: String
    /// What exactly was wrong, for a person.
    public let detail: String
    /// The path of the part it belongs to ("1.2"), or nil for the message as a whole.
    public let path: String?

    /// A defect of kind `name`.
    public init(_ name: Name, detail: String, path: String? = nil) {
        self.name = name.rawValue
        self.detail = detail
        self.path = path
    }

    /// A defect with a name of the caller's own (for layers above the parser that report in
    /// the same vocabulary).
    public init(name: String, detail: String, path: String? = nil) {
        self.name = name
        self.detail = detail
        self.path = path
    }

    /// The kind as an enum value, when it is one this module knows.
    public var kind: Name? { Name(rawValue: name) }

    /// `Name at path: detail`.
    public var description: String {
        if let path { return "\(name) at \(path.isEmpty ? "the top multipart" : path): \(detail)" }
        return "\(name): \(detail)"
    }

    /// Every defect kind the parser and decoders record.
    public enum Name: String, Sendable, CaseIterable {
        // Headers (RFC 5322)
        /// A body began without the empty line that ends the header (Python's name).
        case missingHeaderBodySeparator = "MissingHeaderBodySeparator"
        /// The first header line started with white space, so it continued nothing.
        case firstHeaderLineIsContinuation = "FirstHeaderLineIsContinuation"
        /// White space between a field name and its colon (RFC 5322 obs-syntax).
        case obsoleteHeaderSyntax = "ObsoleteHeaderSyntax"
        /// A part's header block was larger than `Limits.maxHeaderBytes`; the rest was ignored.
        case headerTooLong = "HeaderTooLong"
        /// A part had more fields than `Limits.maxHeaderFields`; the rest were ignored.
        case tooManyHeaderFields = "TooManyHeaderFields"
        /// A header that may appear once appeared several times with different values.
        case duplicateHeader = "DuplicateHeader"
        /// Lines end in CR alone (no LF anywhere); the message was read with CR as line end.
        case bareCarriageReturnLineEnds = "BareCarriageReturnLineEnds"
        /// An RFC 2047 encoded word could not be decoded.
        case invalidEncodedWord = "InvalidEncodedWord"
        /// A charset name nobody here knows; the text was read as UTF-8 with replacements.
        case unknownCharset = "UnknownCharset"

        // Content-Type, Content-Disposition, parameters
        /// A Content-Type without a valid `type/subtype`; read as text/plain (RFC 2045 §5.2).
        case invalidContentType = "InvalidContentType"
        /// A parameter without `=`, an unterminated quoted string, or other broken syntax.
        case invalidParameter = "InvalidParameter"
        /// The same parameter given more than once with different values.
        case duplicateParameter = "DuplicateParameter"
        /// An RFC 2231 continuation with a gap or a broken percent escape.
        case invalidRFC2231Parameter = "InvalidRFC2231Parameter"
        /// Several different `boundary` parameters; every one is read (CVE-2024-28054).
        case multipleBoundaryParameters = "MultipleBoundaryParameters"
        /// Several Content-Type headers that disagree; every one is read.
        case conflictingContentTypes = "ConflictingContentTypes"
        /// Several Content-Transfer-Encoding headers that disagree; every one is decoded.
        case conflictingTransferEncodings = "ConflictingTransferEncodings"
        /// Content-Disposition `filename` and Content-Type `name` (or two of either) disagree.
        case conflictingFileNames = "ConflictingFileNames"
        /// A file name contained directory components, which were stripped.
        case fileNameWithPath = "FileNameWithPath"
        /// A file name contained control or bidirectional-override characters.
        case suspiciousFileNameCharacters = "SuspiciousFileNameCharacters"

        // Multipart (RFC 2046)
        /// A multipart without a `boundary` parameter; its body is read as one leaf.
        case noBoundaryInMultipart = "NoBoundaryInMultipart"
        /// A multipart whose boundary never occurs; its body is read as one leaf.
        case startBoundaryNotFound = "StartBoundaryNotFound"
        /// A multipart that ended without its close delimiter (`--boundary--`).
        case missingFinalBoundary = "MissingFinalBoundary"
        /// A line that starts like a boundary but carries more text; other readers may split there.
        case boundaryPrefixLine = "BoundaryPrefixLine"
        /// A multipart's boundary and an enclosing one are prefixes of one another; readers that
        /// match boundaries by prefix split differently (an alternative reading shows how).
        case nestedBoundaryPrefix = "NestedBoundaryPrefix"
        /// A multipart with a delimiter but no part; its body is read as one leaf.
        case emptyMultipart = "EmptyMultipart"
        /// The preamble holds header fields a client may show as a part; read as one too.
        case partInPreamble = "PartInPreamble"
        /// The epilogue (after the close delimiter) holds header fields a client may show as a
        /// part; read as one too.
        case partInEpilogue = "PartInEpilogue"
        /// A boundary longer than RFC 2046's 70 characters or containing characters it forbids.
        case invalidBoundary = "InvalidBoundary"
        /// A multipart with a transfer encoding other than 7bit, 8bit or binary (RFC 2045 §6.4).
        case invalidMultipartTransferEncoding = "InvalidMultipartTransferEncoding"
        /// A message/rfc822 or message/global with a content encoding; not descended into.
        case encodedMessagePart = "EncodedMessagePart"

        // Limits
        /// Nesting deeper than `Limits.maxDepth`; the deeper part is kept as one leaf.
        case nestingTooDeep = "NestingTooDeep"
        /// More parts than `Limits.maxParts`; the rest of the message is kept as one leaf.
        case tooManyParts = "TooManyParts"
        /// Decoded content reached a decoded-size limit and was cut there.
        case decodedSizeLimitExceeded = "DecodedSizeLimitExceeded"
        /// More ambiguous readings than `Limits.maxAlternativeReadings`; the rest were not built.
        case tooManyAlternativeReadings = "TooManyAlternativeReadings"

        // Transfer encodings
        /// A Content-Transfer-Encoding this parser does not know; the body is kept as is.
        case unknownTransferEncoding = "UnknownTransferEncoding"
        /// Base64 with characters outside its alphabet (skipped, as mail clients do).
        case invalidBase64Characters = "InvalidBase64Characters"
        /// Base64 whose length is not a multiple of four, or with misplaced padding.
        case invalidBase64Padding = "InvalidBase64Padding"
        /// Base64 that goes on after its padding; the rest was decoded too.
        case base64DataAfterPadding = "Base64DataAfterPadding"
        /// A quoted-printable `=` not followed by two hex digits or a line break.
        case invalidQuotedPrintableEscape = "InvalidQuotedPrintableEscape"
        /// A uuencoded part without a `begin` line, or a block without its `end` line.
        case invalidUUEncode = "InvalidUUEncode"
        /// A uuencoded block found inside a text body; exposed as its own leaf.
        case uuencodedBlockInText = "UUEncodedBlockInText"
    }
}
