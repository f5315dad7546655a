import FileMagic

/// The table that says which MIME types and extensions name the same kind of content, so that
/// a declared type or extension can be compared with what libmagic detected.
///
/// A family is a short label (`pdf`, `jpeg`, `word-ooxml`); mismatch rules read
/// `type-mismatch:<claimed family>-is-<detected family>`. What the content can do refines the
/// detected family: a Word 2007+ document with a VBA project is `word-macro`, HTML with script
/// is `html-script` (see ``ContentTraits``).
enum TypeFamilies {
    /// Extension (lower case, no dot) → family.
    static let byExtension: [String: String] = {
        var table: [String: String] = [:]
        let groups: [(String, [String])] = [
            ("pdf", ["pdf"]), ("jpeg", ["jpg", "jpeg", "jpe", "jfif"]), ("png", ["png"]), ("gif", ["gif"]),
            ("bmp", ["bmp"]), ("tiff", ["tif", "tiff"]), ("webp", ["webp"]), ("svg", ["svg"]),
            ("zip", ["zip"]), ("gzip", ["gz", "tgz"]), ("7z", ["7z"]), ("rar", ["rar"]), ("tar", ["tar"]),
            ("word-ooxml", ["docx", "dotx"]), ("excel-ooxml", ["xlsx", "xltx"]), ("powerpoint-ooxml", ["pptx", "potx", "ppsx"]),
            ("word-macro", ["docm", "dotm"]), ("excel-macro", ["xlsm", "xltm", "xlam"]),
            ("powerpoint-macro", ["pptm", "potm", "ppsm"]),
            ("word-ole", ["doc", "dot"]), ("excel-ole", ["xls", "xlt"]), ("powerpoint-ole", ["ppt", "pps", "pot"]),
            ("outlook-msg", ["msg"]), ("opendocument", ["odt", "ods", "odp", "odg"]), ("rtf", ["rtf"]),
            ("text", ["txt", "log", "csv", "tsv", "md", "asc"]), ("html", ["html", "htm"]), ("xml", ["xml"]),
            ("json", ["json"]), ("email", ["eml"]), ("calendar", ["ics"]), ("vcard", ["vcf"]),
            ("mp3", ["mp3"]), ("mp4", ["mp4", "m4v", "m4a"]), ("wav", ["wav"]),
            ("pe", ["exe", "dll", "scr", "sys", "cpl", "ocx"]), ("msi", ["msi", "msp"]), ("lnk", ["lnk"]),
            ("disk-image", ["iso", "img", "vhd", "vhdx", "dmg"]),
        ]
        for (family, extensions) in groups { for ext in extensions { table[ext] = family } }
        return table
    }()

    /// MIME type (lower case) → family. Dangerous categories come from `FileCategory` labels.
    static let byMIMEType: [String: String] = {
        var table: [String: String] = [:]
        let groups: [(String, [String])] = [
            ("pdf", ["application/pdf", "application/x-pdf", "application/acrobat"]),
            ("jpeg", ["image/jpeg", "image/jpg", "image/pjpeg"]), ("png", ["image/png", "image/x-png"]),
            ("gif", ["image/gif"]), ("bmp", ["image/bmp", "image/x-ms-bmp", "image/x-bmp"]),
            ("tiff", ["image/tiff"]), ("webp", ["image/webp"]), ("svg", ["image/svg+xml", "image/svg"]),
            ("zip", ["application/zip", "application/x-zip-compressed", "application/x-zip", "multipart/x-zip"]),
            ("gzip", ["application/gzip", "application/x-gzip", "application/x-compressed-tar"]),
            ("7z", ["application/x-7z-compressed"]),
            ("rar", ["application/x-rar", "application/vnd.rar", "application/x-rar-compressed"]),
            ("tar", ["application/x-tar"]),
            ("word-ooxml", ["application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.template"]),
            ("excel-ooxml", ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.template"]),
            ("powerpoint-ooxml", ["application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                  "application/vnd.openxmlformats-officedocument.presentationml.slideshow"]),
            ("word-macro", ["application/vnd.ms-word.document.macroenabled.12", "application/vnd.ms-word.template.macroenabled.12"]),
            ("excel-macro", ["application/vnd.ms-excel.sheet.macroenabled.12", "application/vnd.ms-excel.template.macroenabled.12",
                             "application/vnd.ms-excel.addin.macroenabled.12"]),
            ("powerpoint-macro", ["application/vnd.ms-powerpoint.presentation.macroenabled.12",
                                  "application/vnd.ms-powerpoint.slideshow.macroenabled.12"]),
            ("word-ole", ["application/msword"]), ("excel-ole", ["application/vnd.ms-excel"]),
            ("powerpoint-ole", ["application/vnd.ms-powerpoint", "application/mspowerpoint"]),
            ("outlook-msg", ["application/vnd.ms-outlook"]),
            ("ole", ["application/x-ole-storage", "application/cdfv2", "application/cdfv2-unknown"]),
            ("opendocument", ["application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
                              "application/vnd.oasis.opendocument.presentation",
                              "application/vnd.oasis.opendocument.graphics"]),
            ("rtf", ["text/rtf", "application/rtf"]), ("text", ["text/plain", "text/csv", "text/markdown"]),
            ("html", ["text/html", "application/xhtml+xml"]), ("xml", ["text/xml", "application/xml"]),
            ("json", ["application/json"]), ("email", ["message/rfc822"]), ("calendar", ["text/calendar"]),
            ("vcard", ["text/vcard", "text/x-vcard", "text/directory"]),
            ("mp3", ["audio/mpeg", "audio/mp3"]), ("mp4", ["video/mp4", "audio/mp4", "audio/x-m4a"]),
            ("wav", ["audio/wav", "audio/x-wav", "audio/vnd.wave"]),
            ("empty", ["inode/x-empty", "application/x-empty"]),
        ]
        for (family, types) in groups { for type in types { table[type] = family } }
        return table
    }()

    /// Declared types that claim nothing: senders use them for any file, so they never disagree.
    static let genericDeclaredTypes: Set<String> = [
        "application/octet-stream", "binary/octet-stream", "application/binary", "application/unknown",
        "application/x-unknown", "application/download", "application/x-download", "application/force-download",
        "application/x-msdownload-unknown", "",
    ]

    /// Families whose content libmagic may report as another family of the same container.
    private static let containers: [String: Set<String>] = [
        // OOXML and OpenDocument are zip files; libmagic says plain zip when the entry order is unusual.
        "word-ooxml": ["zip"], "excel-ooxml": ["zip"], "powerpoint-ooxml": ["zip"], "opendocument": ["zip"],
        // A macro-enabled name promises macros may be there, not that they are.
        "word-macro": ["word-ooxml", "zip"], "excel-macro": ["excel-ooxml", "zip"],
        "powerpoint-macro": ["powerpoint-ooxml", "zip"],
        // Legacy Office files are OLE2 compound files; libmagic's CDF reader often cannot name the app.
        "word-ole": ["ole", "excel-ole", "powerpoint-ole", "outlook-msg"],
        "excel-ole": ["ole", "word-ole", "powerpoint-ole"],
        "powerpoint-ole": ["ole", "word-ole", "excel-ole"],
        "outlook-msg": ["ole"],
        "gzip": ["tar"],
        // Markup that is active by nature may carry script; an XML name may hold XML with script.
        "svg": ["xml", "html", "text", "svg-script", "html-script", "xml-script"],
        "html": ["svg-script", "html-script", "xml-script"],
        "xml": ["xml-script"],
    ]

    /// Families whose content may hold macros (``ContentTraits/macros``).
    static let macroCapable: Set<String> = [
        "word-ooxml", "excel-ooxml", "powerpoint-ooxml", "word-ole", "excel-ole", "powerpoint-ole", "ole",
    ]
    /// Families whose content may hold script (``ContentTraits/script``).
    static let markup: Set<String> = ["html", "svg", "xml"]
    /// The detected family an OOXML document has when it holds macros.
    private static let macroFamilies: [String: String] = [
        "word-ooxml": "word-macro", "excel-ooxml": "excel-macro", "powerpoint-ooxml": "powerpoint-macro",
    ]

    /// Text families: libmagic tells them apart only by heuristics, so any text is fine for any.
    /// Markup with script (`html-script`) is not among them: it runs where text is only shown.
    private static let textual: Set<String> = ["text", "html", "xml", "json", "email", "calendar", "vcard", "rtf", "svg"]

    /// Whether content of family `detected` is a plausible body for a name or type claiming `claimed`.
    static func compatible(claimed: String, detected: String) -> Bool {
        if claimed == detected || detected == "empty" { return true }
        if containers[claimed]?.contains(detected) == true { return true }
        if textual.contains(claimed) && textual.contains(detected) { return true }
        return false
    }

    /// The family of libmagic's answer: a dangerous category's label first, then the table.
    static func family(of detected: DetectedType) -> String? {
        if let category = FileCategory.of(detected) { return category.label }
        return byMIMEType[TypeRules.normalizedMIMEType(detected.mimeType)]
    }

    /// The family of libmagic's answer refined by what the content can do: `word-macro` for a
    /// Word 2007+ document with macros, `html-script` for HTML with script. OLE2 documents keep
    /// their family: the legacy formats may hold macros under their own names.
    static func family(of detected: DetectedType, traits: ContentTraits) -> String? {
        guard let base = family(of: detected) else { return nil }
        if traits.macros, let macro = macroFamilies[base] { return macro }
        if traits.script, markup.contains(base) { return "\(base)-script" }
        return base
    }
}
