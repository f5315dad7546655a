/// Tiny but genuine file headers, built byte by byte so each test knows exactly what libmagic sees.
enum FileMagicSamples {
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v & 0xffff) + le16(v >> 16 & 0xffff) }
    static func be32(_ v: Int) -> [UInt8] { le32(v).reversed() }
    static func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }

    /// A PE32 GUI executable for i386: DOS header pointing at "PE\0\0", COFF header, optional header.
    static let pe: [UInt8] = {
        var dos = zeros(64)
        dos[0] = UInt8(ascii: "M"); dos[1] = UInt8(ascii: "Z")
        dos.replaceSubrange(0x3c..<0x40, with: le32(0x40))
        let coff = le16(0x14c) + le16(1) + le32(0) + le32(0) + le32(0) + le16(0xe0) + le16(0x0102)
        var optional = zeros(0xe0)
        optional.replaceSubrange(0..<2, with: le16(0x10b))  // PE32 magic
        optional.replaceSubrange(68..<70, with: le16(2))  // Windows GUI subsystem
        return dos + Array("PE".utf8) + [0, 0] + coff + optional + zeros(256)
    }()

    /// An ELF64 x86-64 executable header.
    static let elf: [UInt8] = {
        var header = zeros(64)
        header.replaceSubrange(0..<4, with: [0x7f] + Array("ELF".utf8))
        header[4] = 2; header[5] = 1; header[6] = 1  // 64-bit, little-endian, version 1
        header.replaceSubrange(16..<24, with: le16(2) + le16(0x3e) + le32(1))  // EXEC, x86-64
        header.replaceSubrange(52..<54, with: le16(64))
        return header + zeros(64)
    }()

    /// A stored (uncompressed) zip archive of the given entries; libmagic does not check CRCs.
    static func zip(_ entries: [(name: String, contents: String)]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8), data = Array(entry.contents.utf8)
            let offset = out.count
            out += [0x50, 0x4b, 3, 4] + le16(20) + le16(0) + le16(0) + le32(0) + le32(0)
                + le32(data.count) + le32(data.count) + le16(name.count) + le16(0) + name + data
            central += [0x50, 0x4b, 1, 2] + le16(20) + le16(20) + le16(0) + le16(0) + le32(0) + le32(0)
                + le32(data.count) + le32(data.count) + le16(name.count) + le16(0) + le16(0) + le16(0)
                + le16(0) + le32(0) + le32(offset) + name
        }
        let centralOffset = out.count
        return out + central + [0x50, 0x4b, 5, 6] + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(central.count) + le32(centralOffset) + le16(0)
    }

    static let plainZip = zip([("hello.txt", "hello world\n")])

    /// The smallest zip libmagic recognises as a Word 2007+ document.
    static let docx = zip([
        ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#),
        ("_rels/.rels", #"<?xml version="1.0"?><Relationships/>"#),
        ("word/document.xml", #"<?xml version="1.0"?><w:document/>"#),
    ])

    static let pdf = Array("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".utf8)

    /// A 1x1 RGB PNG header (signature and IHDR).
    static let png: [UInt8] = [0x89] + Array("PNG\r\n".utf8) + [0x1a, 0x0a] + be32(13) + Array("IHDR".utf8)
        + be32(1) + be32(1) + [8, 2, 0, 0, 0] + zeros(4)

    static let jpeg: [UInt8] = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0] + zeros(64)

    static let shellScript = Array("#!/bin/sh\necho hello\n".utf8)
    static let batchFile = Array("@echo off\r\necho hello\r\n".utf8)
    static let plainText = Array("Hello, this is a plain text attachment.\n".utf8)

    /// A Windows shortcut: header size 0x4C and the shell link CLSID 00021401-0000-0000-C000-000000000046.
    static let lnk: [UInt8] = {
        var header = zeros(76)
        header.replaceSubrange(0..<4, with: le32(0x4c))
        header.replaceSubrange(4..<20, with: [0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46])
        return header + zeros(32)
    }()

    /// An ISO 9660 image: the primary volume descriptor "\u{1}CD001" at offset 32768.
    static let iso: [UInt8] = {
        var image = zeros(32768 + 2048)
        image[32768] = 1
        image.replaceSubrange(32769..<32774, with: Array("CD001".utf8))
        image[32774] = 1
        image.replaceSubrange(32808..<32815, with: Array("TESTVOL".utf8))
        return image
    }()

    /// A VHD footer ("conectix" cookie) as found at the start of dynamic Virtual PC disks.
    static let vhd: [UInt8] = Array("conectix".utf8) + zeros(504)

    /// An OLE2 compound file header (legacy Office documents, MSI, MSG).
    static let ole: [UInt8] = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] + zeros(504)
}
