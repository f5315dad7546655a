/// Named lists of file-name extensions that mail services refuse, lower case, without the dot.
public enum BannedExtensions {
    /// Gmail's blocked file types ("Some file types are blocked", support.google.com/mail/answer/6590).
    public static let gmail: Set<String> = [
        "ade", "adp", "apk", "appx", "appxbundle", "bat", "cab", "chm", "cmd", "com", "cpl", "diagcab",
        "diagcfg", "diagpkg", "dll", "dmg", "ex", "ex_", "exe", "hta", "img", "ins", "iso", "isp", "jar",
        "jnlp", "js", "jse", "lib", "lnk", "mde", "mjs", "msc", "msi", "msix", "msixbundle", "msp", "mst",
        "nsh", "pif", "ps1", "scr", "sct", "shb", "sys", "vb", "vbe", "vbs", "vhd", "vxd", "wsc", "wsf",
        "wsh", "xll",
    ]

    /// Outlook's Level 1 list (Microsoft 365 / Outlook on the web, `BlockedFileTypes`): files with
    /// these extensions cannot be opened or saved at all.
    public static let outlookLevel1: Set<String> = [
        "ade", "adp", "app", "appcontent-ms", "application", "appref-ms", "asp", "aspx", "asx", "bas",
        "bat", "bgi", "cab", "cdxml", "cer", "chm", "cmd", "cnt", "com", "cpl", "crt", "csh", "der",
        "diagcab", "exe", "fxp", "gadget", "grp", "hlp", "hpj", "hta", "htc", "inf", "ins", "isp", "its",
        "jar", "jnlp", "js", "jse", "ksh", "lnk", "mad", "maf", "mag", "mam", "maq", "mar", "mas", "mat",
        "mau", "mav", "maw", "mcf", "mda", "mdb", "mde", "mdt", "mdw", "mdz", "msc", "msh", "msh1",
        "msh2", "mshxml", "msh1xml", "msh2xml", "msi", "msp", "mst", "msu", "ops", "osd", "pcd", "pif",
        "pl", "plg", "prf", "prg", "printerexport", "ps1", "ps1xml", "ps2", "ps2xml", "psc1", "psc2",
        "psd1", "psdm1", "pssc", "pst", "py", "pyc", "pyo", "pyw", "pyz", "pyzw", "reg", "scf", "scr",
        "sct", "settingcontent-ms", "shb", "shs", "theme", "tmp", "udl", "url", "vb", "vbe", "vbp", "vbs",
        "vhd", "vhdx", "vsmacros", "vsw", "webpnp", "website", "ws", "wsb", "wsc", "wsf", "wsh", "xbap",
        "xll", "xnk",
    ]

    /// The default: Gmail's list, which every mail user already lives with, plus the disk-image and
    /// shortcut extensions Outlook adds that attackers use to carry executables (vhdx, url, reg).
    public static let `default`: Set<String> = gmail.union(["vhdx", "url", "reg", "scf", "settingcontent-ms", "wsb"])

    /// Extensions that run code when opened on Windows: the last extension of a double-extension
    /// name is checked against these (and the banned set) even when an admin allows them.
    public static let executable: Set<String> = [
        "exe", "scr", "com", "pif", "bat", "cmd", "cpl", "dll", "msi", "msp", "js", "jse", "vbs", "vbe",
        "wsf", "wsh", "wsc", "hta", "ps1", "lnk", "jar", "reg", "sct", "url", "iso", "img", "vhd", "vhdx",
    ]
}
