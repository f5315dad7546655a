"""Attachment contents with the first bytes real files have (what libmagic will look at).

Everything comes from one seeded random.Random, so the corpus is identical on every run.
"""

import gzip
import io
import random
import struct
import zipfile
import zlib

RNG = random.Random(20260303)

WORDS = ("invoice report meeting quarterly budget please find attached the draft "
         "schedule for next week regards thanks project review update contract "
         "delivery shipment account summary notes minutes agenda").split()


def reseed(seed):
    """Start a new deterministic stream (each message builder reseeds with its own number)."""
    RNG.seed(seed)


def noise(n):
    """`n` pseudo-random bytes."""
    return bytes(RNG.getrandbits(8) for _ in range(n))


def prose(lines=6, width=70):
    """Plain English-like ASCII text, one paragraph per few lines."""
    out = []
    for _ in range(lines):
        line = []
        while sum(len(w) + 1 for w in line) < width - 12:
            line.append(RNG.choice(WORDS))
        out.append(" ".join(line).capitalize() + ".")
    return "\n".join(out) + "\n"


def html(text):
    """A small HTML document carrying `text`."""
    paras = "".join("<p>%s</p>\n" % l for l in text.strip().split("\n"))
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "</head>\n<body>\n%s</body></html>\n" % paras)


def pdf(size=1500):
    """A PDF-like file: real header and trailer, random stream content."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    stream = noise(size)
    return (head + b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def zip_bytes(files):
    """A real zip archive with fixed timestamps; `files` maps names to bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 3, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def docx():
    """An Office Open XML shaped zip."""
    return zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": b"<w:document><w:body><w:p>" + prose(3).encode() + b"</w:p></w:body></w:document>",
    })


def exe(size=1024):
    """A PE executable header ("MZ", DOS stub, "PE\\0\\0") followed by random sections."""
    dos = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    dos += b"\xb8" + b"\x00" * 7 + b"\x40" + b"\x00" * 35
    dos += struct.pack("<I", 0x80)
    dos += b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    dos += b"This program cannot be run in DOS mode.\r\r\n$"
    dos += b"\x00" * (0x80 - len(dos))
    pe = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 3, 0x65E0F000, 0, 0, 0xE0, 0x102)
    return bytes(dos) + pe + noise(size)


def png(width=8, height=8):
    """A valid PNG image of random pixels."""
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + noise(width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def gif():
    """A 1x1 GIF."""
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00"
            b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def jpeg(size=600):
    """A JPEG-shaped file (SOI, JFIF APP0, random scan data, EOI)."""
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + noise(size) + b"\xff\xd9")


def gz(data):
    """Gzip with mtime 0, so the bytes are stable."""
    return gzip.compress(data, mtime=0)


def ole():
    """An OLE2 compound document header (old .doc/.xls/.msg), then random sectors."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + noise(1000)


def ics():
    """An iCalendar invitation."""
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Corpus//EN\nMETHOD:REQUEST\nBEGIN:VEVENT\n"
            "UID:corpus-1@example.org\nDTSTART:20260310T090000Z\nDTEND:20260310T100000Z\n"
            "SUMMARY:Quarterly review\nORGANIZER:mailto:alice@example.org\nEND:VEVENT\n"
            "END:VCALENDAR\n")


def vcard():
    """A vCard."""
    return ("BEGIN:VCARD\nVERSION:3.0\nFN:Carol Example\nN:Example;Carol;;;\n"
            "EMAIL;TYPE=INTERNET:carol@example.com\nEND:VCARD\n")


def csv_text(rows=20):
    """CSV data."""
    out = ["id,item,amount"]
    for i in range(rows):
        out.append("%d,%s,%d.%02d" % (i, RNG.choice(WORDS), RNG.randrange(1000), RNG.randrange(100)))
    return "\n".join(out) + "\n"
