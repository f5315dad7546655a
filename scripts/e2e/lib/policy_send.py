#!/usr/bin/env python3
"""Sends test messages for scripts/e2e/policy.sh over SMTP and prints Postfix's answer.

    policy_send.py PORT KIND ID RCPT[,RCPT...] [SUBJECT]   one message; prints "CODE TEXT"
    policy_send.py PORT burst COUNT RCPT                   COUNT infected messages in one session;
                                                           prints "CODE COUNT" per reply code

KIND: exe (a PE executable named tool.exe), eicar (the EICAR test file). Each message carries
an X-E2E-Id header with ID. The payloads are made here; nothing harmful is stored in the repository.
"""
import base64
import collections
import smtplib
import struct
import sys

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pe_executable():
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 60)
    struct.pack_into("<I", dos, 0x3C, 0x80)
    dos += b"\x00" * (0x80 - len(dos))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = bytearray(0xE0)
    struct.pack_into("<H", optional, 0, 0x10B)
    struct.pack_into("<H", optional, 68, 2)
    return bytes(dos) + b"PE\x00\x00" + coff + bytes(optional) + b".text\x00\x00\x00" + b"\x00" * 544


def message(kind, ident, recipients, subject):
    payload, name = (pe_executable(), "tool.exe") if kind == "exe" else (EICAR, "eicar.com")
    encoded = base64.encodebytes(payload).decode().replace("\n", "\r\n")
    # The subject goes in as written: a folded line keeps its line break in the raw header.
    return (
        f"X-E2E-Id: {ident}\r\nFrom: alice@example.org\r\nTo: {', '.join(recipients)}\r\n"
        f"Subject: {subject}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n"
        f'--b1\r\nContent-Type: application/octet-stream; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{encoded}--b1--\r\n"
    ).encode()


def send(session, data, recipients):
    """One transaction; the reply to DATA's end (or to the command that was refused)."""
    code, text = session.mail("alice@example.org")
    if code != 250:
        return f"{code} {text.decode(errors='replace')}"
    for recipient in recipients:
        code, text = session.rcpt(recipient)
        if code not in (250, 251):
            session.rset()
            return f"{code} {text.decode(errors='replace')}"
    code, text = session.data(data)
    return f"{code} {text.decode(errors='replace')}"


def main():
    port, kind = int(sys.argv[1]), sys.argv[2]
    if kind == "burst":
        # One session per message: smtpd slows down and then drops a client after a few refusals
        # in one session (smtpd_soft_error_limit, smtpd_hard_error_limit).
        count, recipient = int(sys.argv[3]), sys.argv[4]
        codes = collections.Counter()
        for number in range(count):
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as session:
                codes[send(session, message("eicar", f"burst-{number}", [recipient], f"burst {number}"), [recipient])[:3]] += 1
        for code, seen in sorted(codes.items()):
            print(code, seen)
        return
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as session:
        ident, recipients = sys.argv[3], sys.argv[4].split(",")
        subject = sys.argv[5] if len(sys.argv) > 5 else f"test {ident}"
        print(send(session, message(kind, ident, recipients, subject), recipients))


if __name__ == "__main__":
    main()
