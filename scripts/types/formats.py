"""Real file formats for the mislabelling corpus, built with the standard library only.

Each function returns the bytes of a small but genuine file: what libmagic, libarchive and
ClamAV will see. The MIME corpus's payloads (PNG, PDF, GIF, zip, gzip, calendar, vCard) are
reused; the formats here are the ones that corpus does not need: Office documents with and
without macros, an OLE2 compound file, JPEG, WebP, HEIC, BMP, TNEF, JAR, CHM, LNK, ISO.
"""

import io
import struct
import zipfile

from corpus import payloads

FIXED = (2026, 3, 3, 10, 0, 0)


def zip_ordered(entries, deflate=True):
    """A zip of (name, bytes[, extra]) in the given order (libmagic reads the first names)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for entry in entries:
            name, data = entry[0], entry[1]
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate and name != "mimetype" else zipfile.ZIP_STORED
            if len(entry) > 2:
                info.extra = entry[2]
            zf.writestr(info, data)
    return buf.getvalue()


# --- OLE2 compound files (legacy Office, Outlook .msg, the VBA project inside .docm) ---

def _cfb_name_key(name):
    # [MS-CFB] 2.6.4: shorter names sort first, then by upper-case code points.
    return (len(name), name.upper())


def cfb(tree):
    """An OLE2 compound file (version 3, 512-byte sectors). `tree` maps names to bytes (a
    stream) or to a dict (a storage). Streams are padded to 4096 bytes so that none belongs in
    the mini stream, which keeps the writer short and the file valid."""
    entries = []  # [name, type, children, data]

    def add(name, node):
        index = len(entries)
        if isinstance(node, dict):
            entries.append([name, 1, [], b""])
            for child, sub in node.items():
                entries[index][2].append(add(child, sub))
        else:
            entries.append([name, 2, [], node + b"\x00" * max(0, 4096 - len(node))])
        return index

    root = len(entries)
    entries.append(["Root Entry", 5, [], b""])
    for name, node in tree.items():
        entries[root][2].append(add(name, node))

    # Sector plan: 0 = FAT, then the directory, then each stream.
    dir_sectors = (len(entries) * 128 + 511) // 512
    next_sector = 1 + dir_sectors
    starts = {}
    for i, e in enumerate(entries):
        if e[1] == 2:
            starts[i] = next_sector
            next_sector += (len(e[3]) + 511) // 512
    total = next_sector
    assert total <= 128, "one FAT sector maps 128 sectors"
    fat = [0xFFFFFFFF] * 128
    fat[0] = 0xFFFFFFFD
    for s in range(1, 1 + dir_sectors):
        fat[s] = s + 1 if s < dir_sectors else 0xFFFFFFFE
    for i, start in starts.items():
        n = (len(entries[i][3]) + 511) // 512
        for k in range(n):
            fat[start + k] = start + k + 1 if k < n - 1 else 0xFFFFFFFE

    def record(i):
        name, kind, children, data = entries[i]
        encoded = (name + "\x00").encode("utf-16-le")
        child = 0xFFFFFFFF
        if children:
            ordered = sorted(children, key=lambda c: _cfb_name_key(entries[c][0]))
            child = ordered[0]
            # A right-leaning chain in name order is a valid (if unbalanced) sibling tree.
            for a, b in zip(ordered, ordered[1:]):
                siblings[a] = b
        return encoded, kind, child

    siblings = {}
    prepared = [record(i) for i in range(len(entries))]
    directory = bytearray()
    for i, (encoded, kind, child) in enumerate(prepared):
        e = bytearray(128)
        e[0:len(encoded)] = encoded
        struct.pack_into("<HBB", e, 64, len(encoded), kind, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, siblings.get(i, 0xFFFFFFFF), child)
        start = starts.get(i, 0xFFFFFFFE if kind == 5 else 0)
        struct.pack_into("<II", e, 116, start, len(entries[i][3]) if kind == 2 else 0)
        directory += e
    directory += b"\x00" * (dir_sectors * 512 - len(directory))
    for k in range(len(directory) // 128 - len(entries)):
        off = (len(entries) + k) * 128
        struct.pack_into("<III", directory, off + 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)

    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)
    for k in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * k, 0xFFFFFFFF)
    body = struct.pack("<128I", *fat) + bytes(directory)
    for i in sorted(starts, key=starts.get):
        data = entries[i][3]
        body += data + b"\x00" * (-len(data) % 512)
    return bytes(header) + body


def word_fib():
    """The start of a WordDocument stream: the FIB magic 0xA5EC, nFib 0xC1 (Word 97+)."""
    return struct.pack("<HH", 0xA5EC, 0xC1) + b"\x00" * 60


def vba_project():
    """The storages and streams a VBA project has ([MS-OVBA] 2.2): PROJECT, VBA/dir,
    VBA/_VBA_PROJECT and a module stream."""
    return {
        "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisDocument/&H00000000\r\nName="Project"\r\n',
        "PROJECTwm": b"ThisDocument\x00T\x00h\x00i\x00s\x00\x00\x00\x00\x00",
        "VBA": {
            "_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
            "dir": b"\x01" + b"\x00" * 31,
            "ThisDocument": b"Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\nEnd Sub\r\n",
        },
    }


def ole_word(macros=False):
    """A legacy Word document (OLE2), with a VBA project in its Macros storage if asked."""
    tree = {"WordDocument": word_fib(), "1Table": b"\x00" * 64}
    if macros:
        tree["Macros"] = vba_project()
    return cfb(tree)


def outlook_msg():
    """An Outlook .msg: an OLE2 file with MAPI property streams."""
    return cfb({"__properties_version1.0": b"\x00" * 32,
                "__substg1.0_0037001F": "Quarterly review".encode("utf-16-le"),
                "__substg1.0_001A001F": "IPM.Note".encode("utf-16-le")})


# --- Office Open XML and OpenDocument ---

CT_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>')
OOXML = {
    "word": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
             "application/vnd.ms-word.document.macroEnabled.main+xml",
             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>'),
    "xl": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
           "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
           b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="%s" sheetId="1"/></sheets></workbook>'),
    "ppt": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
            b'<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><!-- %s --></p:presentation>'),
}


def ooxml(app="word", macros=False):
    """A Word, Excel or PowerPoint 2007+ document; with `macros`, the macro-enabled variant
    (.docm/.xlsm/.pptm) with its vbaProject.bin, as Office writes it."""
    main, plain_type, macro_type, xml = OOXML[app]
    folder = main.split("/")[0]
    types = CT_HEAD + b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    types += b'<Default Extension="xml" ContentType="application/xml"/>'
    if macros:
        types += b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    types += b'<Override PartName="/%s" ContentType="%s"/></Types>' % (main.encode(), (macro_type if macros else plain_type).encode())
    entries = [("[Content_Types].xml", types), ("_rels/.rels", RELS % main.encode()),
               (main, xml % payloads.prose(2).strip().encode())]
    if macros:
        entries.append(("%s/_rels/%s.rels" % (folder, main.split("/")[1]),
                        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        b'<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'))
        entries.append(("%s/vbaProject.bin" % folder, cfb(vba_project())))
    entries.append(("docProps/app.xml", b'<?xml version="1.0"?><Properties><Application>Microsoft Office</Application></Properties>'))
    return zip_ordered(entries)


def odt():
    """An OpenDocument text: the stored `mimetype` entry first, as the standard requires."""
    return zip_ordered([("mimetype", b"application/vnd.oasis.opendocument.text"),
                        ("content.xml", b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
                        ("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest:manifest/>')])


def jar():
    """A Java archive: META-INF/MANIFEST.MF first, with the 0xCAFE extra field javac's jar writes."""
    return zip_ordered([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nMain-Class: Invoice\r\n\r\n", b"\xfe\xca\x00\x00"),
                        ("Invoice.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 32)])


# --- images ---

def jpeg():
    """A complete 1x1 JPEG (JFIF, arithmetic-coded): SOI, APP0, DQT, SOF9, DAC, SOS, EOI."""
    return bytes.fromhex(
        "ffd8ffe000104a46494600010101004800480000"
        "ffdb004300030202020203020202030303030406040404040408060605060908"
        "0a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010"
        "ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2cf20ffd9")


def webp():
    """A lossless 1x1 WebP (RIFF/WEBP, VP8L)."""
    vp8l = bytes.fromhex("2f00000010071011118888fe0700")
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def heic():
    """The start of an iPhone HEIC photo: the ftyp box (heic, mif1) and an empty meta box."""
    ftyp = b"ftyp" + b"heic" + struct.pack(">I", 0) + b"mif1heicmiaf"
    meta = b"meta" + b"\x00" * 4
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 4 + len(meta)) + meta + payloads.noise(200)


def bmp():
    """A 2x2 24-bit Windows bitmap."""
    pixels = b"\xff\x00\x00\x00\xff\x00\x00\x00" * 2
    return b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54) + struct.pack(
        "<IiiHHIIiiII", 40, 2, 2, 1, 24, 0, len(pixels), 2835, 2835, 0, 0) + pixels


# --- mail-specific formats ---

def tnef():
    """A winmail.dat (TNEF): signature, key, then attTnefVersion, attOemCodepage, attMessageClass."""
    def attribute(level, ident, data):
        return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)
    return (struct.pack("<IH", 0x223E9F78, 0x0102)
            + attribute(1, 0x00089006, struct.pack("<I", 0x00010000))
            + attribute(1, 0x00069007, struct.pack("<II", 1252, 0))
            + attribute(1, 0x00078008, b"IPM.Microsoft Mail.Note\x00"))


# --- things that run ---

def lnk():
    """A Windows shortcut header (size 0x4C, the shell link CLSID) with a target path."""
    header = bytearray(76)
    struct.pack_into("<I", header, 0, 0x4C)
    header[4:20] = bytes.fromhex("0114020000000000c000000000000046")
    return bytes(header) + b"C:\\Windows\\System32\\cmd.exe\x00" + b"\x00" * 16


def elf():
    """An ELF64 x86-64 executable header."""
    header = bytearray(64)
    header[0:4] = b"\x7fELF"
    header[4:7] = b"\x02\x01\x01"
    struct.pack_into("<HHI", header, 16, 2, 0x3E, 1)
    struct.pack_into("<H", header, 52, 64)
    return bytes(header) + b"\x00" * 64


def iso():
    """An ISO 9660 image: the primary volume descriptor at 32 KiB."""
    image = bytearray(32768 + 2048)
    image[32768:32774] = b"\x01CD001"
    image[32774] = 1
    image[32808:32815] = b"INVOICE"
    return bytes(image)


def chm():
    """The header of a compiled HTML help file (ITSF version 3)."""
    return b"ITSF" + struct.pack("<III", 3, 0x60, 1) + b"\x00" * 200
