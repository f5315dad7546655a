"""File names in every encoding mail clients use: RFC 2231, RFC 2047, many charsets."""

from .builder import Part, b64, encoded_word, envelope, hash_str, message, multipart, rfc2231
from .payloads import pdf, prose, zip_bytes
from .registry import case
from .wellformed import text_part


def named(subject, ctype_params, disposition, data=None, ctype="application/pdf", eol=b"\r\n"):
    """A message with one attachment whose naming parameters are given verbatim."""
    data = data if data is not None else pdf(400)
    headers = [("Content-Type", ctype + (";\n " + ctype_params if ctype_params else ""))]
    headers.append(("Content-Transfer-Encoding", "base64"))
    if disposition:
        headers.append(("Content-Disposition", disposition))
    att = Part(headers, b64(data))
    bnd = "names-%08x" % hash_str(subject)
    return message(envelope(subject), multipart("mixed", bnd, [text_part("File attached.\n"), att]), eol)


RFC2047 = [
    ("utf8-b", "Überweisung März.pdf", "utf-8", "B"),
    ("utf8-q", "Überweisung März.pdf", "utf-8", "Q"),
    ("iso8859-1", "Façade été.pdf", "iso-8859-1", "Q"),
    ("iso8859-2", "Zażółć gęślą.pdf", "iso-8859-2", "B"),
    ("iso8859-7", "Έγγραφο.pdf", "iso-8859-7", "B"),
    ("iso8859-15", "Prix 5€.pdf", "iso-8859-15", "Q"),
    ("windows-1251", "Счёт на оплату.pdf", "windows-1251", "B"),
    ("windows-1252", "Résumé – final.pdf", "windows-1252", "Q"),
    ("windows-1250", "Smlouva č. 5.pdf", "windows-1250", "B"),
    ("koi8-r", "Договор.pdf", "koi8-r", "B"),
    ("shift-jis", "請求書.pdf", "shift_jis", "B"),
    ("gb2312", "发票.pdf", "gb2312", "B"),
    ("big5", "發票.pdf", "big5", "B"),
]

for _tag, _text, _cs, _mode in RFC2047:
    def _make(tag=_tag, text=_text, cs=_cs, mode=_mode):
        @case("fname-rfc2047-" + tag)
        def _():
            word = encoded_word(text, cs, mode)
            return named("RFC 2047 name " + tag, 'name="%s"' % word, 'attachment; filename="%s"' % word)
    _make()


@case("fname-rfc2047-two-words")
def _():
    words = encoded_word("Quarterly report ", "utf-8") + "\n " + encoded_word("für Q1.pdf", "utf-8")
    return named("Two encoded words", 'name="%s"' % words, None)


@case("fname-rfc2231-utf8")
def _():
    return named("RFC 2231 UTF-8", 'name="Angebot.pdf"', "attachment;\n " + rfc2231("filename", "Angebot für Müller.pdf"))


@case("fname-rfc2231-continuations")
def _():
    long = "Ein sehr langer Dateiname mit Umlauten äöü und noch mehr Text damit er umbricht – Version 2.pdf"
    return named("RFC 2231 continuations", rfc2231("name", long, pieces=3),
                 "attachment;\n " + rfc2231("filename", long, pieces=4))


@case("fname-rfc2231-latin1")
def _():
    return named("RFC 2231 Latin-1", None, "attachment; " + rfc2231("filename", "Numéro de série.pdf", "iso-8859-1"))


@case("fname-rfc2231-windows1251")
def _():
    return named("RFC 2231 Windows-1251", None, "attachment; " + rfc2231("filename", "Отчёт.pdf", "windows-1251"))


@case("fname-rfc2231-lang")
def _():
    return named("RFC 2231 with language", None, "attachment; " + rfc2231("filename", "Informe año.pdf", lang="es"))


@case("fname-rfc2231-plain-continuations")
def _():
    return named("RFC 2231 plain continuations", None,
                 'attachment;\n filename*0="quarterly-results-";\n filename*1="2026-final";\n filename*2=".pdf"')


@case("fname-rfc2231-mixed-continuations")
def _():
    return named("RFC 2231 mixed continuations", None,
                 "attachment;\n filename*0*=utf-8''%C3%9Cbersicht%20;\n filename*1=\"Teil 2.pdf\"")


@case("fname-name-only")
def _():
    return named("Name only", 'name="only-name.pdf"', None)


@case("fname-filename-only")
def _():
    return named("Filename only", None, 'attachment; filename="only-filename.pdf"')


@case("fname-unquoted")
def _():
    return named("Unquoted", "name=report_2026.pdf", "attachment; filename=report_2026.pdf")


@case("fname-spaces")
def _():
    return named("Spaces", 'name="annual report 2026 (final).pdf"',
                 'attachment; filename="annual report 2026 (final).pdf"')


@case("fname-escaped-quote")
def _():
    return named("Escaped quote", None, 'attachment; filename="the \\"best\\" offer.pdf"')


@case("fname-inline-disposition")
def _():
    return named("Inline with file name", 'name="inline.pdf"', 'inline; filename="inline.pdf"')


@case("fname-disposition-params-order")
def _():
    return named("Disposition parameters", 'name="sized.pdf"',
                 'attachment; size=400;\n creation-date="Tue, 03 Mar 2026 10:00:00 GMT";\n filename="sized.pdf";\n'
                 ' modification-date="Tue, 03 Mar 2026 10:00:00 GMT"')


@case("fname-zip-utf8-lf")
def _():
    data = zip_bytes({"räksmörgås.txt": prose().encode()})
    word = encoded_word("Räksmörgås.zip", "utf-8")
    return named("Zip, LF", 'name="%s"' % word, "attachment; " + rfc2231("filename", "Räksmörgås.zip"),
                 data, "application/zip", b"\n")
