#!/usr/bin/env python3
"""Writes the benchmark corpus: one .eml per message, the class first in the file name.

usage: make_corpus.py OUTDIR [--scale quick|full] [--seed N]
       make_corpus.py OUTDIR --memory MB     one message with an MB-megabyte attachment

Classes (share of the corpus in brackets):
  small   (60%) a text message of 2-8 KB, sometimes with a text/html alternative
  office  (22%) a 40-600 KB attachment: a zip (docx/xlsx-like) or a PDF
  large   (6%)  a 1-20 MB attachment (1-5 MB with --scale quick): a zip of incompressible data
  eicar   (6%)  EICAR, as a plain attachment, zipped, or in a message/rfc822 part
  banned  (6%)  a Windows executable, named .exe or disguised as .pdf

Payloads are made here (random bytes from a seeded generator, EICAR built from its string), so
nothing harmful is stored and the same seed writes the same corpus byte for byte.
"""
import argparse
import email.policy
import io
import random
import struct
import zipfile
from email.message import EmailMessage
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
WORDS = ("invoice meeting agenda report quarterly budget please find attached regards thanks "
         "project schedule review update minutes customer order delivery shipment contract").split()


def base(rng, index, kind):
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"sender{index}@bench.example"
    msg["To"] = "rcpt@bench.example"
    msg["Subject"] = f"{kind} {index}: " + " ".join(rng.choice(WORDS) for _ in range(5))
    msg["Message-ID"] = f"<{kind}-{index}@bench.example>"
    msg["Date"] = "Wed, 25 Nov 2026 10:00:00 +0000"
    for hop in range(rng.randint(2, 6)):  # real mail carries a trail of Received headers
        msg["Received"] = (f"from relay{hop}.bench.example (relay{hop}.bench.example [198.51.100.{hop + 1}]) "
                           f"by mx.bench.example with ESMTPS id {rng.getrandbits(48):012X}")
    return msg


def text(rng, size):
    words, length = [], 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(11))
        words.append(line)
        length += len(line) + 1
    return "\n".join(words) + "\n"


def random_zip(rng, name, size):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(name, rng.randbytes(size))
    return buffer.getvalue()


def pe_executable():
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 60)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    dos += b"\x00" * (0x80 - len(dos))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = bytearray(0xE0)
    struct.pack_into("<H", optional, 0, 0x10B)
    struct.pack_into("<H", optional, 68, 2)
    return bytes(dos) + b"PE\x00\x00" + coff + bytes(optional) + b".text\x00\x00\x00" + b"\x00" * 32 + b"\x00" * 512


def small(rng, i):
    m = base(rng, i, "small")
    m.set_content(text(rng, rng.randint(2000, 8000)))
    if rng.random() < 0.4:
        m.add_alternative("<html><body><p>" + text(rng, 3000).replace("\n", "</p><p>") + "</p></body></html>",
                          subtype="html")
    return m


def office(rng, i):
    m = base(rng, i, "office")
    m.set_content(text(rng, 1500))
    size = rng.randint(40_000, 600_000)
    if rng.random() < 0.5:
        m.add_attachment(random_zip(rng, "word/document.xml", size), maintype="application",
                         subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                         filename=f"report-{i}.docx")
    else:
        header = b"%%PDF-1.4\n1 0 obj << /Length %d >>\nstream\n" % size
        pdf = header + rng.randbytes(size) + b"\nendstream\nendobj\n%%EOF\n"
        m.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"scan-{i}.pdf")
    return m


def large(rng, i, max_mb):
    m = base(rng, i, "large")
    m.set_content(text(rng, 1000))
    size = rng.randint(1 << 20, max_mb << 20)
    m.add_attachment(random_zip(rng, "data.bin", size), maintype="application", subtype="zip",
                     filename=f"archive-{i}.zip")
    return m


def eicar(rng, i):
    m = base(rng, i, "eicar")
    m.set_content(text(rng, 1000))
    style = i % 3
    if style == 0:
        m.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="eicar.com")
    elif style == 1:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("eicar.com", EICAR)
        m.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="eicar.zip")
    else:
        inner = base(rng, i, "inner")
        inner.set_content(text(rng, 500))
        inner.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="eicar.com")
        m.add_attachment(inner)
    return m


def banned(rng, i):
    m = base(rng, i, "banned")
    m.set_content(text(rng, 1000))
    name = f"setup-{i}.exe" if i % 2 == 0 else f"invoice-{i}.pdf"
    subtype = "octet-stream" if i % 2 == 0 else "pdf"
    m.add_attachment(pe_executable(), maintype="application", subtype=subtype, filename=name)
    return m


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--scale", choices=["quick", "full"], default="full")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--memory", type=int, metavar="MB")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.memory:
        message = base(rng, 0, "large")
        message.set_content(text(rng, 1000))
        message.add_attachment(random_zip(rng, "data.bin", args.memory << 20), maintype="application",
                               subtype="zip", filename="archive.zip")
        (out / "large-memory.eml").write_bytes(message.as_bytes(policy=email.policy.SMTP))
        print(f"make_corpus: one {args.memory} MB message in {out}")
        return
    count = 50 if args.scale == "quick" else 100
    max_mb = 5 if args.scale == "quick" else 20
    plan = ([("small", small)] * 60 + [("office", office)] * 22 + [("large", lambda r, i: large(r, i, max_mb))] * 6
            + [("eicar", eicar)] * 6 + [("banned", banned)] * 6)
    picks = plan[::100 // count] if count < 100 else plan
    for index, (kind, make) in enumerate(picks):
        message = make(rng, index)
        (out / f"{kind}-{index:04d}.eml").write_bytes(message.as_bytes(policy=email.policy.SMTP))
    print(f"make_corpus: {len(picks)} messages in {out}")


if __name__ == "__main__":
    main()
