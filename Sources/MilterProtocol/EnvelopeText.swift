/// Envelope addresses as Strings that keep every byte the MTA sent (pymilter's `envfrom_bytes`
/// and `envrcpt_bytes`, and Python's `surrogateescape`).
///
/// SMTP addresses are bytes: usually ASCII or UTF-8 (SMTPUTF8), but an MTA may pass on 8-bit
/// bytes that are not UTF-8 (a Latin-1 local part). Decoding those with replacement would lose
/// them, and a recipient read from the MTA could not be passed back to `smfi_delrcpt`. So each
/// byte that is not part of valid UTF-8 becomes one scalar of the private-use range
/// U+10FF80…U+10FFFF (U+10FF00 + the byte), and encoding turns those scalars back into the
/// bytes. Valid UTF-8 is unchanged both ways; a real U+10FF80…U+10FFFF in an address (a
/// private-use code point no mail system assigns) would come back as one byte.
public enum EnvelopeText {
    /// The scalar value that stands for byte 0: an escaped byte b is U+10FF00 + b (b ≥ 0x80).
    private static let base: UInt32 = 0x10FF00

    /// The bytes as a String: UTF-8 as it is, each other byte escaped.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: isEscape) {
            return text
        }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let length = sequenceLength(bytes[index])
            if length > 0, index + length <= bytes.count,
               let text = String(validating: bytes[index..<index + length], as: UTF8.self),
               let scalar = text.unicodeScalars.first, !isEscape(scalar) {
                scalars.append(scalar)
                index += length
            } else {
                scalars.append(Unicode.Scalar(base + UInt32(bytes[index])) ?? "\u{FFFD}")
                index += 1
            }
        }
        return String(scalars)
    }

    /// The bytes a String from ``string(_:)`` stands for: UTF-8, escaped bytes as themselves.
    public static func bytes(_ text: String) -> [UInt8] {
        guard text.unicodeScalars.contains(where: isEscape) else { return Array(text.utf8) }
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            if isEscape(scalar) {
                bytes.append(UInt8(truncatingIfNeeded: scalar.value - base))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    private static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= base + 0x80 && scalar.value <= base + 0xFF
    }

    /// How many bytes a UTF-8 sequence starting with `lead` has; 0 for a byte no sequence starts with.
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0x00...0x7F: 1
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }
}
