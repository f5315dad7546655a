#!/usr/bin/env python3
"""Hostile messages for the web console's end-to-end test (scripts/e2e/web.sh).

Markup in every place a message can carry text: header From and Subject (plain and RFC 2047
encoded), a file name, a text body, an HTML body with a remote image and CSS. The console must
show all of it as text and load nothing remote; the browser test looks for dialogs, injected
elements and requests to the beacon.

  web_messages.py OUTDIR BEACON_URL
"""
import base64
import email.policy
import struct
import sys
from email.message import EmailMessage
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pe_executable():
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 60)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    dos += b"\x00" * (0x80 - len(dos))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = bytearray(0xE0)
    struct.pack_into("<H", optional, 0, 0x10B)
    struct.pack_into("<H", optional, 68, 2)
    section = b".text\x00\x00\x00" + b"\x00" * 32
    return bytes(dos) + b"PE\x00\x00" + coff + bytes(optional) + section + b"\x00" * 512


def encoded_word(text):
    """One RFC 2047 encoded word (base64, UTF-8): markup a naive decoder would hand to HTML."""
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def main(out, beacon):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = '"<script>alert(\'from\')</script>" <evil@example.org>'
    m["To"] = "bob@example.net"
    m["Subject"] = "Invoice <script>alert('subject')</script> <img src=x onerror=alert('img')>"
    m["Message-ID"] = "<hostile-virus@e2e.example.org>"
    m.set_content(
        "Dear <b>customer</b>,\n<script>alert('body')</script>\n"
        "<a href=\"javascript:alert('link')\" id=pwned>click here</a>\n"
        f"<img src=\"{beacon}/text.png\" onerror=\"alert('onerror')\">\n")
    m.add_alternative(
        f"<html><head><style>body {{ display: none }}</style><link rel=stylesheet href=\"{beacon}/x.css\"></head>"
        f"<body><img src=\"{beacon}/html.png\" onerror=\"alert('html')\"><div id=pwned style=\"position:fixed\">owned</div>"
        "<a href=\"javascript:alert('html link')\">pay</a><script>alert('html script')</script></body></html>",
        subtype="html")
    m.add_attachment(EICAR, maintype="application", subtype="octet-stream",
                     filename="<img src=x onerror=alert('filename')>.com")
    # Raw, as written: the email package would decode encoded words it is given.
    encoded = "X-Encoded: " + encoded_word("<img src=x onerror=alert(9)>") + " " + encoded_word("<div id=pwned>") + "\r\n"
    (out / "hostile-virus.eml").write_bytes(encoded.encode() + m.as_bytes())

    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = "payroll@example.org"
    m["To"] = "bob@example.net, carol@example.net"
    m["Message-ID"] = "<banned@e2e.example.org>"
    m.set_content("The report is attached.\n")
    m.add_attachment(pe_executable(), maintype="application", subtype="pdf", filename="report.pdf")
    subject = "Subject: Salaries " + encoded_word("<svg onload=alert(7)>") + "\r\n"
    (out / "banned.eml").write_bytes(subject.encode() + m.as_bytes())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
