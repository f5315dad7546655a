public import FileMagic

/// What an attachment's content can do when opened, beyond the type libmagic names: the facts
/// that turn a name or declared type that disagrees with the content from a sender's slip into
/// a disguise.
///
/// A CSV that Windows declares `application/vnd.ms-excel` or a PNG named `.jpg` is harmless
/// whatever it is called; a Word file with macros named `.docx` (a format that cannot hold
/// macros) or a web page with script named `.txt` is not.
public struct ContentTraits: Sendable, Hashable {
    /// An Office document holding a VBA project (macros).
    public var macros: Bool
    /// HTML or SVG with script: a script element, an event-handler attribute or a script URL.
    public var script: Bool
    /// An archive holding something that can do harm, or whose members could not all be seen.
    public var riskyArchive: Bool

    /// Creates traits; every fact defaults to absent.
    public init(macros: Bool = false, script: Bool = false, riskyArchive: Bool = false) {
        self.macros = macros
        self.script = script
        self.riskyArchive = riskyArchive
    }

    /// Content with none of the risky traits.
    public static let none = ContentTraits()

    /// Whether any trait makes the content able to do harm where it claims to be harmless.
    public var isRisky: Bool { macros || script || riskyArchive }

    /// Whether the traits of `detected` content depend on more than its type: Office documents
    /// (macros) and, when `scriptCanRun`, markup (script). Callers decode such content whole
    /// before `examine`.
    public static func needsContent(_ detected: DetectedType, scriptCanRun: Bool = true) -> Bool {
        guard let family = TypeFamilies.family(of: detected) else { return false }
        return TypeFamilies.macroCapable.contains(family) || (scriptCanRun && TypeFamilies.markup.contains(family))
    }

    /// The traits readable from the (decoded) bytes of content libmagic called `detected`:
    /// macros in OLE2 and Office Open XML documents, script in HTML, SVG and XML.
    /// `scriptCanRun` is false for a part that is only ever shown as what it declares (inline,
    /// without a file name: an HTML newsletter sent as text/plain is displayed as text), where
    /// script never runs and is not looked for. `riskyArchive` is left to the caller, which is
    /// the one that can list an archive.
    public static func examine(_ bytes: ArraySlice<UInt8>, detected: DetectedType, scriptCanRun: Bool = true) -> ContentTraits {
        guard let family = TypeFamilies.family(of: detected) else { return .none }
        var traits = ContentTraits()
        if TypeFamilies.macroCapable.contains(family) {
            // OLE2: the VBA project is a storage whose directory entries are named in UTF-16
            // ([MS-OVBA] 2.2.1: "_VBA_PROJECT"). OOXML: the part is `vbaProject.bin`, and zip
            // entry names are stored uncompressed, in the local headers and the central directory.
            traits.macros = ByteSearch.contains(bytes, ByteSearch.vbaProjectOLE) || ByteSearch.contains(bytes, ByteSearch.vbaProjectZip)
        }
        if scriptCanRun && TypeFamilies.markup.contains(family) {
            traits.script = MarkupScript.present(in: bytes)
        }
        return traits
    }
}

/// Case-insensitive searches for short ASCII patterns (lower case) in raw bytes.
enum ByteSearch {
    /// `_vba_project` in UTF-16LE, as an OLE2 directory entry names it.
    static let vbaProjectOLE: [UInt8] = Array("_vba_project".utf8).flatMap { [$0, 0] }
    /// `vbaproject`, the name of the VBA part in a macro-enabled OOXML package.
    static let vbaProjectZip: [UInt8] = Array("vbaproject".utf8)

    @inline(__always)
    static func lowered(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// Whether `pattern` occurs in `bytes` at `index`, ignoring ASCII case.
    static func matches(_ bytes: ArraySlice<UInt8>, _ pattern: [UInt8], at index: Int) -> Bool {
        guard index >= bytes.startIndex, bytes.endIndex - index >= pattern.count else { return false }
        for (offset, expected) in pattern.enumerated() where lowered(bytes[index + offset]) != expected { return false }
        return true
    }

    /// Whether `pattern` (lower-case ASCII, non-empty) occurs anywhere in `bytes`, ignoring case.
    static func contains(_ bytes: ArraySlice<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var index = bytes.startIndex
        let last = bytes.endIndex - pattern.count
        while index <= last {
            if lowered(bytes[index]) == first && matches(bytes, pattern, at: index) { return true }
            index += 1
        }
        return false
    }
}

/// Finds what makes markup run code when a browser or mail client opens it.
enum MarkupScript {
    static let scriptTag = Array("<script".utf8)
    static let urlSchemes = [Array("javascript:".utf8), Array("vbscript:".utf8)]

    /// Whether `bytes` hold a `<script` element, a `javascript:`/`vbscript:` URL, or an
    /// `on...=` event-handler attribute inside a tag (`<body onload=`, `<svg onload=`, `<img onerror=`).
    static func present(in bytes: ArraySlice<UInt8>) -> Bool {
        if ByteSearch.contains(bytes, scriptTag) { return true }
        if urlSchemes.contains(where: { ByteSearch.contains(bytes, $0) }) { return true }
        return hasEventHandler(bytes)
    }

    /// An attribute named `on` + letters, followed by `=`, inside `<...>`.
    static func hasEventHandler(_ bytes: ArraySlice<UInt8>) -> Bool {
        var inTag = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                inTag = true
            } else if byte == UInt8(ascii: ">") {
                inTag = false
            } else if inTag, isSeparator(byte), index + 3 < bytes.endIndex,
                      ByteSearch.lowered(bytes[index + 1]) == UInt8(ascii: "o"),
                      ByteSearch.lowered(bytes[index + 2]) == UInt8(ascii: "n") {
                var cursor = index + 3
                var letters = 0
                while cursor < bytes.endIndex, isLetter(bytes[cursor]) {
                    letters += 1
                    cursor += 1
                }
                while cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") {
                    cursor += 1
                }
                if letters >= 3, cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: "=") { return true }
            }
            index += 1
        }
        return false
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
