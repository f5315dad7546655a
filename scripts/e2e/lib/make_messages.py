#!/usr/bin/env python3
"""Writes the end-to-end test messages into a directory, one .eml each.

Every message is built with Python's email package so its MIME structure is what real mail
clients produce; the payloads (EICAR, a minimal PE executable, a zip) are made here, so nothing
harmful is stored in the repository.
"""
import email.policy
import io
import struct
import subprocess
import sys
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def base(subject, sender="alice@example.org", rcpt="bob@example.net"):
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = rcpt
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@e2e.example.org>"
    return msg


def pe_executable():
    """A minimal PE32 image header: enough for libmagic to say 'PE32 executable'."""
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 60)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    dos += b"\x00" * (0x80 - len(dos))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = bytearray(0xE0)
    struct.pack_into("<H", optional, 0, 0x10B)  # PE32 magic
    struct.pack_into("<H", optional, 68, 2)  # subsystem: Windows GUI
    section = b".text\x00\x00\x00" + b"\x00" * 32
    return bytes(dos) + b"PE\x00\x00" + coff + bytes(optional) + section + b"\x00" * 512


def zipped(name, data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def zipped_with_password(name, data, password):
    """A ZipCrypto zip made by Info-ZIP's `zip -P` (Python's zipfile cannot encrypt)."""
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / name).write_bytes(data)
        subprocess.run(["zip", "-q", "-P", password, "out.zip", name], cwd=work, check=True)
        return (Path(work) / "out.zip").read_bytes()


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    messages = {}

    m = base("clean")
    m.set_content("Hello Bob,\n\nthe minutes are attached.\n")
    m.add_attachment(b"%PDF-1.4\n%minutes\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
                     maintype="application", subtype="pdf", filename="minutes.pdf")
    messages["clean"] = m

    m = base("forged status")
    m["X-Virus-Status"] = "Infected (forged)"
    m["X-Virus-Scanned"] = "forged by the sender"
    m.set_content("The sender tried to label this message.\n")
    messages["forged"] = m

    m = base("eicar base64")
    m.set_content("See attachment.\n")
    m.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="eicar.com")
    messages["eicar-base64"] = m

    m = base("eicar zip")
    m.set_content("Zipped.\n")
    m.add_attachment(zipped("eicar.com", EICAR), maintype="application", subtype="zip", filename="files.zip")
    messages["eicar-zip"] = m

    m = base("eicar zip with its password")
    m.set_content("Hi Bob,\n\nthe scans are attached.\nPassword: Tr7!kq9\n")
    m.add_attachment(zipped_with_password("scan.com", EICAR, "Tr7!kq9"), maintype="application", subtype="zip",
                     filename="scans.zip")
    messages["eicar-zip-password"] = m

    inner = base("inner", sender="mallory@example.com")
    inner.set_content("Forwarded content.\n")
    inner.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="eicar.txt")
    m = base("eicar forwarded")
    m.set_content("Forwarding the message below.\n")
    m.add_attachment(inner)  # message/rfc822
    messages["eicar-rfc822"] = m

    m = base("exe as pdf")
    m.set_content("The report.\n")
    m.add_attachment(pe_executable(), maintype="application", subtype="pdf", filename="report.pdf")
    messages["exe-as-pdf"] = m

    m = base("oversize")
    m["X-Virus-Status"] = "Clean"
    m.set_content("Large attachment follows.\n")
    m.add_attachment(bytes(range(256)) * 8192, maintype="application", subtype="octet-stream", filename="big.bin")
    messages["oversize"] = m

    for name, msg in messages.items():
        (out / f"{name}.eml").write_bytes(msg.as_bytes())

    # 200 enclosed messages, each the whole body of the one around it: past every parser's
    # nesting limit. Written by hand: the email package would fold it the same way, only slower.
    deep = b"Subject: innermost\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
    for level in range(200):
        deep = b"Subject: level %d\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n" % level + deep
    (out / "nested-200.eml").write_bytes(
        b"From: alice@example.org\r\nTo: bob@example.net\r\n" + deep)
    messages["nested-200"] = None
    print(" ".join(sorted(messages)))


if __name__ == "__main__":
    main(sys.argv[1])
