"""Well-formed messages: the parser and Python's email package must read them the same way."""

from .builder import (Part, b64, encoded_word, envelope, leaf, message, multipart, qp,
                      rfc2231, uu)
from .payloads import (csv_text, docx, exe, gif, gz, html, ics, jpeg, ole, pdf, png, prose,
                       vcard, zip_bytes)
from .registry import case

LF = b"\n"


def text_part(text=None, charset="us-ascii", cte="7bit"):
    """A text/plain body part."""
    text = text if text is not None else prose()
    body = text.encode(charset)
    if cte == "quoted-printable":
        body = qp(body)
    elif cte == "base64":
        body = b64(body)
    return leaf('text/plain; charset="%s"' % charset, body, cte)


def html_part(text=None, cte="quoted-printable"):
    """A text/html body part."""
    body = html(text or prose()).encode("utf-8")
    body = qp(body) if cte == "quoted-printable" else b64(body) if cte == "base64" else body
    return leaf('text/html; charset="utf-8"', body, cte)


def attachment(ctype, name, data, cte="base64", inline=False):
    """An attachment with both `name` and `filename`, the way most clients write it."""
    body = b64(data) if cte == "base64" else data
    disp = "%s; filename=\"%s\"" % ("inline" if inline else "attachment", name)
    return leaf('%s; name="%s"' % (ctype, name), body, cte, disp)


# --- single-part messages -------------------------------------------------------------

@case("plain-ascii-7bit")
def _():
    return message(envelope("Plain ASCII"), text_part())


@case("plain-utf8-8bit")
def _():
    return message(envelope("UTF-8 body"),
                   text_part("Grüße aus Köln, ça va? Żółć. 日本語のテキスト。\n" + prose(3), "utf-8", "8bit"))


@case("plain-latin1-qp")
def _():
    return message(envelope("Latin-1 QP"),
                   text_part("Déjà vu à la française, où est l'hôtel?\n" + prose(4), "iso-8859-1",
                             "quoted-printable"))


@case("plain-windows1252-qp")
def _():
    return message(envelope("Windows-1252"),
                   text_part("Price: 100 \u20ac \u2013 \u201cquoted\u201d\n" + prose(2), "windows-1252",
                             "quoted-printable"))


@case("plain-koi8r-base64")
def _():
    return message(envelope("KOI8-R"),
                   text_part("Привет, это тестовое сообщение.\n", "koi8-r", "base64"))


@case("plain-iso2022jp-7bit")
def _():
    return message(envelope(encoded_word("会議の件", "iso-2022-jp")),
                   text_part("お世話になっております。\n会議の資料を送ります。\n", "iso-2022-jp", "7bit"))


@case("plain-utf8-base64")
def _():
    return message(envelope("Base64 text"), text_part("Ünïcödé text in base64\n" + prose(8), "utf-8", "base64"))


@case("plain-no-content-type")
def _():
    return message([("From", "alice@example.org"), ("To", "bob@example.net"),
                    ("Subject", "No MIME headers at all")], Part([], prose()))


@case("plain-bare-lf")
def _():
    return message(envelope("Bare LF"), text_part(), eol=LF)


@case("plain-folded-headers")
def _():
    top = envelope("A subject that is long enough that a careful mailer folds it\n onto a second line")
    part = Part([("Content-Type", "text/plain;\n\tcharset=\"utf-8\";\n\tformat=flowed"),
                 ("Content-Transfer-Encoding", "\n 8bit")], "Folded headers everywhere. Überall.\n")
    return message(top, part)


@case("plain-encoded-subject")
def _():
    subject = encoded_word("Réunion à 15h", "iso-8859-1", "Q") + " " + encoded_word("– résumé", "utf-8")
    return message(envelope(subject), text_part())


@case("plain-format-flowed")
def _():
    body = ("This is a long paragraph written with format=flowed so that it wraps \n"
            "softly at the end of each line and the reader rejoins it. \n> quoted text\n")
    return message(envelope("Flowed"), leaf("text/plain; charset=UTF-8; format=flowed; delsp=yes", body, "7bit"))


@case("plain-empty-body")
def _():
    return message(envelope("Empty"), leaf("text/plain", b"", "7bit"))


@case("plain-long-lines-qp")
def _():
    line = " ".join(["lorem=ipsum"] * 60) + "\n"
    return message(envelope("Long QP lines"), text_part(line * 3 + "tabs\tand spaces at end \n", "utf-8",
                                                        "quoted-printable"))


@case("plain-uppercase-type")
def _():
    return message(envelope("Upper case"), leaf('TEXT/PLAIN; CHARSET="UTF-8"', prose().encode(), "7BIT"))


@case("html-only")
def _():
    return message(envelope("HTML only"), html_part())


@case("html-only-base64-lf")
def _():
    return message(envelope("HTML base64"), html_part(cte="base64"), eol=LF)


# --- alternatives ---------------------------------------------------------------------

@case("alt-text-html")
def _():
    text = prose()
    return message(envelope("Alternative"),
                   multipart("alternative", "alt-1", [text_part(text), html_part(text)]))


@case("alt-text-html-lf")
def _():
    text = prose()
    return message(envelope("Alternative LF"),
                   multipart("alternative", "=_alt_lf", [text_part(text, "utf-8", "quoted-printable"),
                                                          html_part(text)]), eol=LF)


@case("alt-preamble-epilogue")
def _():
    return message(envelope("Preamble"),
                   multipart("alternative", "b1_preamble", [text_part(), html_part()],
                             preamble=b"This is a multi-part message in MIME format.\n",
                             epilogue=b"This epilogue is ignored by readers.\n"))


@case("alt-three-way")
def _():
    return message(envelope("Three alternatives"),
                   multipart("alternative", "three", [
                       text_part(),
                       leaf("text/enriched", b"<bold>Enriched</bold> text\n", "7bit"),
                       html_part()]))


@case("alt-unquoted-boundary")
def _():
    part = Part([("Content-Type", "multipart/alternative; boundary=simple_boundary_42")],
                children=[text_part(), html_part()], boundary="simple_boundary_42")
    return message(envelope("Unquoted boundary"), part)


@case("alt-boundary-trailing-space")
def _():
    # RFC 2046 §5.1.1: delimiter lines may carry transport padding (trailing white space).
    text = prose(2)
    raw = ("--pad\n" "Content-Type: text/plain\n\n" + text + "--pad   \n"
           "Content-Type: text/html\n\n<p>x</p>\n" "--pad--\t\n")
    return message(envelope("Padded delimiters"),
                   Part([("Content-Type", 'multipart/alternative; boundary="pad"')], raw))


@case("alt-boundary-specials")
def _():
    bnd = "'()+_,-./:=? boundary"
    return message(envelope("Boundary with specials"),
                   multipart("alternative", bnd, [text_part(), html_part()]))


@case("alt-calendar")
def _():
    return message(envelope("Invitation: Quarterly review"),
                   multipart("alternative", "cal_b", [
                       text_part("You are invited.\n"),
                       html_part("You are invited."),
                       leaf('text/calendar; charset="utf-8"; method=REQUEST', b64(ics().encode()), "base64")]))


# --- attachments of many types --------------------------------------------------------

ATTACHMENTS = [
    ("pdf", "application/pdf", "report.pdf", lambda: pdf()),
    ("zip", "application/zip", "archive.zip", lambda: zip_bytes({"a.txt": prose().encode(), "b/c.txt": b"x" * 300})),
    ("exe", "application/octet-stream", "setup.exe", lambda: exe()),
    ("exe-msdownload", "application/x-msdownload", "tool.exe", lambda: exe(2000)),
    ("png", "image/png", "pixel.png", lambda: png()),
    ("gif", "image/gif", "dot.gif", lambda: gif()),
    ("jpeg", "image/jpeg", "photo.jpg", lambda: jpeg()),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "letter.docx", lambda: docx()),
    ("doc-ole", "application/msword", "old.doc", lambda: ole()),
    ("gzip", "application/gzip", "log.txt.gz", lambda: gz(prose(20).encode())),
    ("ics", "text/calendar", "invite.ics", lambda: ics().encode()),
    ("vcard", "text/vcard", "carol.vcf", lambda: vcard().encode()),
    ("csv", "text/csv", "data.csv", lambda: csv_text().encode()),
    ("json", "application/json", "data.json", lambda: b'{"items": [1, 2, 3], "ok": true}\n'),
    ("octet-empty", "application/octet-stream", "empty.bin", lambda: b""),
]

for _kind, _ctype, _name, _data in ATTACHMENTS:
    def _make(kind=_kind, ctype=_ctype, name=_name, data=_data):
        @case("attach-" + kind)
        def _():
            return message(envelope("Attachment " + name),
                           multipart("mixed", "mixed-" + kind, [text_part("See attached.\n"),
                                                                 attachment(ctype, name, data())]))
    _make()


@case("attach-many")
def _():
    parts = [text_part("Several files.\n")]
    for kind, ctype, name, data in ATTACHMENTS[:8]:
        parts.append(attachment(ctype, name, data()))
    return message(envelope("Many attachments"), multipart("mixed", "many", parts))


@case("attach-many-lf")
def _():
    parts = [text_part("Several files, bare LF.\n")]
    for kind, ctype, name, data in ATTACHMENTS[4:10]:
        parts.append(attachment(ctype, name, data()))
    return message(envelope("Many attachments LF"), multipart("mixed", "many-lf", parts), eol=LF)


@case("attach-binary-cte")
def _():
    data = pdf(800)
    part = leaf('application/pdf; name="raw.pdf"', data, "binary", 'attachment; filename="raw.pdf"')
    part.raw = True
    return message(envelope("Binary transfer encoding"),
                   multipart("mixed", "bin-b0undary-77", [text_part("Binary.\n"), part]))


@case("attach-8bit-text")
def _():
    return message(envelope("8bit attachment"),
                   multipart("mixed", "eight", [text_part("See notes.\n"),
                                                leaf('text/plain; charset=utf-8; name="notes.txt"',
                                                     "Notizen: Größe, Maße, Fuß.\n".encode(), "8bit",
                                                     'attachment; filename="notes.txt"')]))


@case("attach-7bit-csv")
def _():
    return message(envelope("7bit CSV"),
                   multipart("mixed", "seven", [text_part("CSV.\n"),
                                                attachment("text/csv", "list.csv", csv_text().encode(), "7bit")]))


@case("attach-x-uuencode")
def _():
    data = exe(300)
    return message(envelope("uuencoded"),
                   multipart("mixed", "uu", [text_part("uu.\n"),
                                             leaf('application/octet-stream; name="old.exe"', uu(data, "old.exe"),
                                                  "x-uuencode", 'attachment; filename="old.exe"')]))


@case("attach-uuencode-cte")
def _():
    data = prose(5).encode()
    return message(envelope("uuencode CTE"),
                   multipart("mixed", "uu2", [text_part("uu.\n"),
                                              leaf('text/plain; name="readme.txt"', uu(data, "readme.txt"),
                                                   "uuencode", 'attachment; filename="readme.txt"')]))


@case("attach-qp-octet")
def _():
    data = b"MZ\x90\x00" + bytes(range(256))
    return message(envelope("QP binary"),
                   multipart("mixed", "qpb", [text_part("QP.\n"),
                                              attachment("application/octet-stream", "bytes.bin", qp(data),
                                                         "quoted-printable")]))


@case("attach-base64-64col")
def _():
    data = pdf(2000)
    part = leaf('application/pdf; name="narrow.pdf"', b64(data, 64), "base64", 'attachment; filename="narrow.pdf"')
    return message(envelope("64 column base64"), multipart("mixed", "b64", [text_part(), part]))


@case("attach-base64-one-line")
def _():
    data = png(4, 4)
    part = leaf("image/png", b64(data, 10 ** 6), "base64", 'attachment; filename="one-line.png"')
    return message(envelope("Single line base64"), multipart("mixed", "oneline", [text_part(), part]))


@case("attach-image-only")
def _():
    return message(envelope("Just a picture"), attachment("image/jpeg", "IMG_0001.JPG", jpeg()))


@case("attach-pdf-root-lf")
def _():
    return message(envelope("PDF as the whole message"), attachment("application/pdf", "whole.pdf", pdf()), eol=LF)
