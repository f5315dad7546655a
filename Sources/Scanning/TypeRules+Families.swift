import FileMagic

/// The table that says which MIME types and extensions name the same kind of content, so that
/// a declared type or extension can be compared with what libmagic detected.
///
/// A family is a short label (`pdf`, `jpeg`, `word-ooxml`); mismatch rules read
/// `type-mismatch:<claimed family>-is-<detected family>`.
enum TypeFamilies {
    /// Extension (lower case, no dot) → family.
    static let byExtension: [String: String] = {
        var table: [String: String] = [:]
        let groups: [(String, [String])] = [
            ("pdf", ["pdf"]), ("jpeg", ["jpg", "jpeg", "jpe", "jfif"]), ("png", ["png"]), ("gif", ["gif"]),
            ("bmp", ["bmp"]), ("tiff", ["tif", "tiff"]), ("webp", ["webp"]), ("svg", ["svg"]),
            ("zip", ["zip"]), ("gzip", ["gz", "tgz"]), ("7z", ["7z"]), ("rar", ["rar"]), ("tar", ["tar"]),
            ("word-ooxml", ["docx", "docm", "dotx", "dotm"]), ("excel-ooxml", ["xlsx", "xlsm", "xltx", "xltm"]),
            ("powerpoint-ooxml", ["pptx", "pptm", "potx", "ppsx"]),
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
                            "application/vnd.ms-word.document.macroenabled.12",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.template"]),
            ("excel-ooxml", ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             "application/vnd.ms-excel.sheet.macroenabled.12"]),
            ("powerpoint-ooxml", ["application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                  "application/vnd.ms-powerpoint.presentation.macroenabled.12",
                                  "application/vnd.openxmlformats-officedocument.presentationml.slideshow"]),
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
        // Legacy Office files are OLE2 compound files; libmagic's CDF reader often cannot name the app.
        "word-ole": ["ole", "excel-ole", "powerpoint-ole", "outlook-msg"],
        "excel-ole": ["ole", "word-ole", "powerpoint-ole"],
        "powerpoint-ole": ["ole", "word-ole", "excel-ole"],
        "outlook-msg": ["ole"],
        "gzip": ["tar"],
        "svg": ["xml", "html", "text"],
    ]

    /// Text families: libmagic tells them apart only by heuristics, so any text is fine for any.
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
}
