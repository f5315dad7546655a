/// What one libclamav scan returned: nothing, the names it matched, or an error.
///
/// The ClamAV module reports what libclamav said; the Scanning module decides what a heuristic
/// name such as `Heuristics.Encrypted.Zip` means for a message.
public enum ScanResult: Sendable, Equatable {
    /// `CL_CLEAN`: no signature or heuristic matched.
    case clean
    /// `CL_VIRUS`: every matching signature and heuristic name (all-match mode), in order.
    case matched([String])
    /// Any other `cl_error_t`: the scan did not complete.
    case failed(ClamAVError)
}

extension ScanResult {
    /// Names that came from libclamav's heuristics (`Heuristics.*`), not from a signature.
    public var heuristicNames: [String] {
        guard case .matched(let names) = self else { return [] }
        return names.filter(Self.isHeuristic)
    }

    /// Names that came from signatures.
    public var signatureNames: [String] {
        guard case .matched(let names) = self else { return [] }
        return names.filter { !Self.isHeuristic($0) }
    }

    /// Whether `name` is a heuristic alert; libclamav gives every one the `Heuristics.` prefix.
    public static func isHeuristic(_ name: String) -> Bool {
        name.hasPrefix("Heuristics.")
    }
}

/// Which of libclamav's parsers run for one scan.
public struct ScanParsing: Sendable, Equatable {
    /// Decode mail (`CL_SCAN_PARSE_MAIL`): MIME parts, base64, quoted-printable, uuencode.
    public var mail: Bool

    /// Every parser on (clamscan's default).
    public static let all = ScanParsing(mail: true)
    /// Every parser but the mail parser: raw bytes of a message, archives still unpacked.
    public static let withoutMail = ScanParsing(mail: false)

    /// Makes a parser selection.
    public init(mail: Bool) { self.mail = mail }
}
