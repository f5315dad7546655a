public import FileMagic

/// A kind of content recognised from libmagic's answer, e.g. Windows PE executables.
///
/// Matching uses the MIME type first and libmagic's description as a fallback, because libmagic
/// gives some formats a generic MIME type (a raw disk image is `application/octet-stream`,
/// described as "DOS/MBR boot sector").
public struct FileCategory: Sendable, Hashable, CustomStringConvertible {
    /// The stable name used in rule names, e.g. `pe-executable`.
    public let name: String
    /// The short label used in mismatch rule names, e.g. `pe` in `type-mismatch:pdf-is-pe`.
    public let label: String
    /// MIME types (lower case) that belong to this category.
    public let mimeTypes: Set<String>
    /// Prefixes of libmagic descriptions that belong to this category.
    public let descriptionPrefixes: [String]
    /// Prefixes of libmagic descriptions that do not, whatever the MIME type: guesses that rest on
    /// a byte or two, which random, compressed or encrypted data meets by chance.
    public let weakGuessPrefixes: [String]

    /// Defines a category; sites may add their own beside the predefined ones.
    public init(
        name: String, label: String, mimeTypes: Set<String>, descriptionPrefixes: [String] = [],
        weakGuessPrefixes: [String] = []
    ) {
        self.name = name
        self.label = label
        self.mimeTypes = mimeTypes
        self.descriptionPrefixes = descriptionPrefixes
        self.weakGuessPrefixes = weakGuessPrefixes
    }

    public var description: String { name }

    // Identity is the name: two categories with one name are the same rule.
    public static func == (lhs: FileCategory, rhs: FileCategory) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Whether `detected` belongs to this category.
    public func matches(_ detected: DetectedType) -> Bool {
        matches(detected, normalizedMIMEType: TypeRules.normalizedMIMEType(detected.mimeType))
    }

    /// `matches(_:)` with the MIME type already normalized: a caller trying every category
    /// normalizes once (a lower-cased copy per category was a measurable share of a small
    /// message's CPU in the callgrind profile).
    func matches(_ detected: DetectedType, normalizedMIMEType: String) -> Bool {
        if weakGuessPrefixes.contains(where: { detected.description.hasPrefix($0) }) { return false }
        if mimeTypes.contains(normalizedMIMEType) { return true }
        return descriptionPrefixes.contains { detected.description.hasPrefix($0) }
    }

    /// Windows and DOS programs and libraries (MZ/PE: .exe, .dll, .scr, .sys, .cpl).
    public static let peExecutable = FileCategory(
        name: "pe-executable", label: "pe",
        mimeTypes: ["application/vnd.microsoft.portable-executable", "application/x-dosexec",
                    "application/x-msdownload", "application/x-ms-ne-executable"],
        descriptionPrefixes: ["PE32", "MS-DOS executable"],
        // libmagic calls anything that starts with a jump opcode (0xE9, 0xEB...) a DOS .COM
        // program: one random or encrypted file in about a hundred. A .COM runs only under its
        // extension, which the extension rules ban.
        weakGuessPrefixes: ["DOS executable (COM", "COM executable for DOS"])
    /// Linux and Unix programs and shared libraries.
    public static let elfExecutable = FileCategory(
        name: "elf-executable", label: "elf",
        mimeTypes: ["application/x-executable", "application/x-pie-executable", "application/x-sharedlib",
                    "application/x-object"],
        descriptionPrefixes: ["ELF "])
    /// macOS programs and libraries.
    public static let machOExecutable = FileCategory(
        name: "macho-executable", label: "macho",
        mimeTypes: ["application/x-mach-binary"],
        descriptionPrefixes: ["Mach-O "])
    /// Scripts libmagic recognises: shebang scripts, DOS batch files, Node.js; Windows Script Host
    /// files (VBS, JS, PowerShell, HTA) look like plain text or HTML, so their extensions catch them.
    public static let script = FileCategory(
        name: "script", label: "script",
        mimeTypes: ["text/x-shellscript", "text/x-msdos-batch", "application/javascript", "text/javascript",
                    "application/x-javascript", "text/x-script.python", "text/x-perl", "text/x-ruby",
                    "text/x-php", "text/x-tcl", "text/x-lua", "text/x-awk", "application/x-powershell",
                    "application/hta"],
        descriptionPrefixes: ["DOS batch file"])
    /// Windows Installer packages and patches (.msi, .msp).
    public static let msiInstaller = FileCategory(
        name: "msi-installer", label: "msi",
        mimeTypes: ["application/x-msi", "application/x-ms-installer"])
    /// Windows shortcuts (.lnk), which can run any command.
    public static let shortcut = FileCategory(
        name: "shortcut", label: "lnk",
        mimeTypes: ["application/x-ms-shortcut"],
        descriptionPrefixes: ["MS Windows shortcut"])
    /// Disk images that Windows mounts on a double click (ISO, IMG, VHD, VHDX) and macOS DMG;
    /// they carry executables past scanners that do not open them.
    public static let diskImage = FileCategory(
        name: "disk-image", label: "disk-image",
        mimeTypes: ["application/x-iso9660-image", "application/x-virtualbox-vhd", "application/x-virtualbox-vhdx",
                    "application/x-apple-diskimage", "application/x-udf-image"],
        descriptionPrefixes: ["ISO 9660", "DOS/MBR boot sector", "UDF filesystem", "Microsoft Disk Image",
                              "zlib compressed data, DMG"])
    /// Java programs (class files and jars).
    public static let java = FileCategory(
        name: "java", label: "java",
        mimeTypes: ["application/x-java-applet", "application/java-archive", "application/x-java-archive",
                    "application/x-java-jnlp-file"],
        descriptionPrefixes: ["Java archive", "compiled Java class"])
    /// Compiled HTML help (.chm), a long-standing malware carrier.
    public static let compiledHelp = FileCategory(
        name: "compiled-help", label: "chm",
        mimeTypes: ["application/vnd.ms-htmlhelp", "application/x-chm"],
        descriptionPrefixes: ["MS Windows HtmlHelp Data"])

    /// Every category defined here, in the order checks try them.
    public static let all: [FileCategory] = [
        .peExecutable, .elfExecutable, .machOExecutable, .msiInstaller, .shortcut, .diskImage, .java,
        .compiledHelp, .script,
    ]

    /// The categories banned by default: what Gmail and Outlook's Level 1 list refuse by
    /// extension, enforced on the content itself. Java is left out (signed jars are still mailed
    /// in some businesses); add it where it is not.
    public static let defaultBanned: Set<FileCategory> = [
        .peExecutable, .elfExecutable, .machOExecutable, .msiInstaller, .shortcut, .diskImage, .compiledHelp,
        .script,
    ]

    /// The first category `detected` belongs to, if any.
    public static func of(_ detected: DetectedType) -> FileCategory? {
        let normalized = TypeRules.normalizedMIMEType(detected.mimeType)
        return all.first { $0.matches(detected, normalizedMIMEType: normalized) }
    }
}
