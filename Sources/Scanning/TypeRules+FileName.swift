import Foundation

/// An attachment's file name as Windows will treat it, and the tricks used to disguise it.
///
/// A mail client shows the name as given; Windows picks the program from the last extension after
/// removing trailing dots and spaces. Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and
/// friends) make `invoice\u{202E}fdp.exe` display as `invoiceexe.pdf`; compatibility characters
/// (full-width letters, U+2024 ONE DOT LEADER) imitate an ASCII extension.
public struct AttachmentName: Sendable, Hashable {
    /// The name as received (after MIME decoding).
    public let original: String
    /// The last path component, with bidi and other invisible format characters removed,
    /// compatibility characters folded (NFKC), lower-cased, trailing dots and spaces removed.
    public let normalized: String
    /// The extensions of `normalized`, outermost last: `invoice.pdf.exe` gives `["pdf", "exe"]`.
    public let extensions: [String]
    /// Whether the name contains bidirectional control characters.
    public let hasBidiControls: Bool
    /// Whether compatibility folding changed the name (full-width or look-alike characters).
    public let hasLookalikeCharacters: Bool

    /// The extension Windows uses to choose a program, if any.
    public var realExtension: String? { extensions.last }

    /// Unicode bidirectional formatting characters: embeddings, overrides, isolates and marks.
    static let bidiControls: Set<Unicode.Scalar> = [
        "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",  // LRE RLE PDF LRO RLO
        "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}",  // LRI RLI FSI PDI
        "\u{200E}", "\u{200F}", "\u{061C}",  // LRM RLM ALM
    ]

    public init(_ name: String) {
        original = name
        // Only the last path component names the file: clients differ on / and \ in names.
        let lastComponent = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? name
        var scalars = String.UnicodeScalarView()
        var sawBidi = false
        for scalar in lastComponent.unicodeScalars {
            if Self.bidiControls.contains(scalar) {
                sawBidi = true
                continue
            }
            // Other invisible format characters (zero-width space/joiners, soft hyphen) would
            // split an extension without showing: drop them too.
            if scalar.properties.generalCategory == .format { continue }
            scalars.append(scalar)
        }
        hasBidiControls = sawBidi
        let visible = String(scalars)
        normalized = Self.windowsName(visible.precomposedStringWithCompatibilityMapping)
        extensions = Self.extensions(of: normalized)
        // Compatibility characters are common and harmless in base names (full-width digits in
        // Japanese names); they deceive when they change what the extension appears to be.
        hasLookalikeCharacters = Self.extensions(of: Self.windowsName(visible)) != extensions
    }

    /// Lower-cased, without the trailing dots and spaces Windows ignores ("evil.exe. " opens as "evil.exe").
    private static func windowsName(_ name: String) -> String {
        var trimmed = Substring(name.lowercased())
        while let last = trimmed.last, last == "." || last.isWhitespace { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// The dot-separated components after the base name, each trimmed of padding spaces
    /// ("invoice.pdf        .exe" hides its real extension off-screen).
    private static func extensions(of name: String) -> [String] {
        name.split(separator: ".", omittingEmptySubsequences: false).dropFirst()
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
