"""Malformed and hostile messages (file names start with "malformed-").

Each one is a trick a real sender uses, on purpose or by accident; the expected output for
these is reviewed by hand, since Python's email package may read them differently.
"""

from .builder import Part, b64, encoded_word, envelope, leaf, message, multipart, qp, rfc2231, uu
from .payloads import exe, pdf, png, prose, zip_bytes
from .registry import case
from .wellformed import attachment, html_part, text_part


def raw_message(subject, ctype, body, eol=b"\r\n", extra=()):
    """A message whose body is written verbatim (the multipart structure by hand)."""
    return message(envelope(subject), Part([("Content-Type", ctype), *extra], body), eol)


def bad(name):
    return case("malformed-" + name)


@bad("missing-final-boundary")
def _():
    return message(envelope("No closing delimiter"),
                   multipart("mixed", "open-end", [text_part(), attachment("application/pdf", "a.pdf", pdf())], close=False))


@bad("missing-final-boundary-nested")
def _():
    inner = multipart("alternative", "inner-open", [text_part(), html_part()], close=False)
    return message(envelope("Inner part never closed"),
                   multipart("mixed", "outer-closed", [inner, attachment("image/png", "p.png", png())]))


@bad("prefix-boundary-close")
def _():
    # The inner boundary starts with the outer one followed by "--": a prefix-matching reader
    # sees the outer close delimiter where an exact reader sees an inner delimiter.
    body = ("--abc\nContent-Type: multipart/mixed; boundary=\"abc--x\"\n\n"
            "--abc--x\nContent-Type: text/plain\n\ninner text\n"
            "--abc--x\nContent-Type: application/octet-stream; name=\"hidden.exe\"\nContent-Transfer-Encoding: base64\n\n"
            + b64(exe(200)).decode() + "--abc--x--\n"
            "--abc--\n")
    return raw_message("Prefix boundary", 'multipart/mixed; boundary="abc"', body)


@bad("prefix-boundary-inner")
def _():
    body = ("--outer\nContent-Type: multipart/alternative; boundary=\"outer-inner\"\n\n"
            "--outer-inner\nContent-Type: text/plain\n\nA\n--outer-inner\nContent-Type: text/html\n\n<p>B</p>\n"
            "--outer-inner--\n--outer\nContent-Type: application/pdf; name=\"x.pdf\"\nContent-Transfer-Encoding: base64\n\n"
            + b64(pdf(300)).decode() + "--outer--\n")
    return raw_message("Boundaries that are prefixes", 'multipart/mixed; boundary="outer"', body)


@bad("duplicate-boundary-param")
def _():
    body = ("--first\nContent-Type: text/plain\n\nread with the first boundary\n"
            "--second\nContent-Type: application/octet-stream; name=\"evil.exe\"\nContent-Transfer-Encoding: base64\n\n"
            + b64(exe(200)).decode() + "--second--\n--first--\n")
    return raw_message("Two boundary parameters", 'multipart/mixed; boundary="first"; boundary="second"', body)


@bad("duplicate-content-type")
def _():
    part = Part([("Content-Type", "text/plain"), ("Content-Type", 'application/octet-stream; name="run.exe"'),
                 ("Content-Transfer-Encoding", "base64")], b64(exe(100)))
    return message(envelope("Two Content-Type headers"), multipart("mixed", "dup-ct", [text_part(), part]))


@bad("conflicting-cte")
def _():
    data = b"Hello=20world, this is ambiguous.\n"
    part = Part([("Content-Type", 'text/plain; name="note.txt"'), ("Content-Transfer-Encoding", "quoted-printable"),
                 ("Content-Transfer-Encoding", "base64")], b64(data))
    return message(envelope("Two transfer encodings"), multipart("mixed", "dup-cte", [text_part(), part]))


@bad("unknown-cte")
def _():
    return message(envelope("Unknown CTE"),
                   multipart("mixed", "xcte", [text_part(), leaf('application/pdf; name="u.pdf"', b64(pdf(200)), "x-gzip64",
                                                                 'attachment; filename="u.pdf"')]))


@bad("garbage-base64")
def _():
    enc = b64(pdf(600)).split(b"\n")
    enc.insert(3, b"!!!! not base64 at all ????")
    enc.insert(6, b"@@@@" + enc[6][4:])
    return message(envelope("Garbage in base64"),
                   multipart("mixed", "garb", [text_part(), leaf('application/pdf; name="g.pdf"', b"\n".join(enc), "base64",
                                                                 'attachment; filename="g.pdf"')]))


@bad("base64-early-padding")
def _():
    a = b64(b"first chunk!").rstrip()
    c = b64(b"second chunk after padding").rstrip()
    return message(envelope("Padding in the middle"),
                   multipart("mixed", "pad-mid", [text_part(), leaf("application/octet-stream", a + b"=\n" + c + b"\n", "base64",
                                                                    'attachment; filename="two.bin"')]))


@bad("base64-truncated")
def _():
    enc = b64(exe(500)).rstrip()[:-3]
    return message(envelope("Truncated base64"),
                   multipart("mixed", "trunc", [text_part(), leaf("application/octet-stream", enc + b"\n", "base64",
                                                                  'attachment; filename="cut.exe"')]))


@bad("base64-spaces-tabs")
def _():
    enc = b64(pdf(300))
    spaced = b"\n".join(b" \t" + line[:20] + b" " + line[20:] + b"  " for line in enc.split(b"\n") if line)
    return message(envelope("Base64 with white space"),
                   multipart("mixed", "ws64", [text_part(), leaf("application/pdf", spaced + b"\n", "base64",
                                                                 'attachment; filename="ws.pdf"')]))


@bad("broken-qp")
def _():
    body = (b"Bad escape =ZZ here, lowercase =e9t=e9, a lone = sign and =4 short.\n"
            b"Trailing spaces   \nsoft break at end=\n")
    return message(envelope("Broken QP"), leaf("text/plain; charset=iso-8859-1", body, "quoted-printable"))


@bad("bidi-override-filename")
def _():
    name = "invoice_\u202egpj.exe"
    return message(envelope("Right-to-left override"),
                   multipart("mixed", "bidi", [text_part(), leaf("application/octet-stream", b64(exe(200)), "base64",
                                                                 "attachment; " + rfc2231("filename", name))]))


@bad("control-char-filename")
def _():
    word = encoded_word("report\x07\x1b[31m.pdf\r\n.exe", "utf-8")
    return message(envelope("Control characters in name"),
                   multipart("mixed", "ctl", [text_part(), leaf('application/octet-stream; name="%s"' % word, b64(exe(100)),
                                                                "base64", 'attachment; filename="%s"' % word)]))


@bad("path-in-filename")
def _():
    return message(envelope("Paths in names"),
                   multipart("mixed", "paths", [
                       text_part(),
                       attachment("application/octet-stream", "C:\\\\Users\\\\Public\\\\evil.exe", exe(100)),
                       leaf("text/plain", b"x\n", "7bit", 'attachment; filename="../../etc/cron.d/job"')]))


@bad("name-differs-filename")
def _():
    return message(envelope("name and filename differ"),
                   multipart("mixed", "differ", [text_part(), leaf('text/plain; name="harmless.txt"', b64(exe(150)),
                                                                   "base64", 'attachment; filename="payload.exe"')]))


@bad("duplicate-disposition")
def _():
    part = Part([("Content-Type", "application/octet-stream"), ("Content-Transfer-Encoding", "base64"),
                 ("Content-Disposition", 'attachment; filename="a.txt"'),
                 ("Content-Disposition", 'attachment; filename="b.exe"')], b64(exe(100)))
    return message(envelope("Two dispositions"), multipart("mixed", "dup-disp", [text_part(), part]))


@bad("duplicate-filename-param")
def _():
    return message(envelope("Two filename parameters"),
                   multipart("mixed", "dup-fn", [text_part(), leaf("application/octet-stream", b64(exe(100)), "base64",
                                                                   'attachment; filename="a.txt"; filename="b.exe"')]))


@bad("header-without-blank-line")
def _():
    return (b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: no separator\r\n"
            b"Content-Type: text/plain\r\nThis line is the body, not a header.\r\nMore body.\r\n")


@bad("part-header-without-blank-line")
def _():
    body = ("--nb\nContent-Type: text/plain\nthe body starts here without a blank line\n"
            "--nb\nContent-Type: application/pdf; name=\"n.pdf\"\nContent-Transfer-Encoding: base64\n\n"
            + b64(pdf(200)).decode() + "--nb--\n")
    return raw_message("Part without header separator", 'multipart/mixed; boundary="nb"', body)


@bad("multipart-no-boundary")
def _():
    return raw_message("Multipart without boundary", "multipart/mixed",
                       "--lost\nContent-Type: text/plain\n\nhello\n--lost--\n")


@bad("multipart-empty-boundary")
def _():
    return raw_message("Empty boundary", 'multipart/mixed; boundary=""',
                       "--\nContent-Type: text/plain\n\nhello\n----\n")


@bad("multipart-no-parts")
def _():
    return raw_message("Multipart with no parts", 'multipart/mixed; boundary="none"',
                       "Only a preamble here.\n--none--\n")


@bad("multipart-only-preamble")
def _():
    return raw_message("Multipart never delimited", 'multipart/mixed; boundary="never"',
                       "There is no delimiter line at all in this body.\n")


@bad("epilogue-hidden-part")
def _():
    hidden = ("--ep\nContent-Type: application/octet-stream; name=\"late.exe\"\nContent-Transfer-Encoding: base64\n\n"
              + b64(exe(120)).decode())
    return message(envelope("Part after the close delimiter"),
                   multipart("mixed", "ep", [text_part()], epilogue=hidden.encode()))


@bad("preamble-hidden-part")
def _():
    pre = ("Content-Type: application/octet-stream; name=\"early.exe\"\nContent-Transfer-Encoding: base64\n\n"
           + b64(exe(120)).decode())
    return message(envelope("Headers in the preamble"),
                   multipart("mixed", "pre", [text_part()], preamble=pre.encode().rstrip(b"\n")))


@bad("content-type-no-subtype")
def _():
    return message(envelope("Type without subtype"), leaf("text", prose().encode(), "7bit"))


@bad("content-type-garbage")
def _():
    return message(envelope("Garbage type"),
                   multipart("mixed", "gt", [text_part(), leaf(";;; =?? /", b"junk\n", "7bit")]))


@bad("uuencode-in-text")
def _():
    body = "Here is the file:\n\n" + uu(exe(200), "hidden.exe").decode() + "\nBye\n"
    return message(envelope("uuencode inside text"), leaf("text/plain; charset=us-ascii", body, "7bit"))


@bad("mixed-line-endings")
def _():
    body = (b"--mix\r\nContent-Type: text/plain\n\nline one\r\nline two\n"
            b"--mix\nContent-Type: application/pdf; name=\"m.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(pdf(200)) + b"--mix--\r\n")
    return b"From: a@example.org\r\nSubject: mixed endings\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\n\n" + body


@bad("cr-only-line-endings")
def _():
    return message(envelope("CR only"), multipart("mixed", "cr", [text_part(), attachment("image/png", "cr.png", png())]), b"\r")


@bad("raw-utf8-filename")
def _():
    return message(envelope("Raw UTF-8 in header"),
                   multipart("mixed", "raw8", [text_part(), leaf('application/pdf; name="Résumé.pdf"', b64(pdf(200)), "base64",
                                                                 'attachment; filename="Résumé.pdf"')]))


@bad("raw-latin1-filename")
def _():
    part = Part([("Content-Type", b'application/pdf; name="R\xe9sum\xe9.pdf"'), ("Content-Transfer-Encoding", "base64"),
                 ("Content-Disposition", b'attachment; filename="R\xe9sum\xe9.pdf"')], b64(pdf(200)))
    return message(envelope("Raw Latin-1 in header"), multipart("mixed", "raw1", [text_part(), part]))


@bad("bad-encoded-word")
def _():
    return message(envelope("Broken encoded word"),
                   multipart("mixed", "bew", [text_part(), leaf('application/pdf; name="=?utf-8?B?!!notbase64?=.pdf"',
                                                                b64(pdf(100)), "base64",
                                                                'attachment; filename="=?x-unknown?Q?abc?="')]))


@bad("bad-encoded-word-q")
def _():
    # A blank and a broken escape inside Q words: clients that refuse them show the name as sent.
    return message(envelope("Broken Q words"),
                   multipart("mixed", "bq", [text_part(), leaf('application/pdf; name="=?utf-8?Q?sales report?=.pdf"',
                                                               b64(pdf(100)), "base64",
                                                               'attachment; filename="=?utf-8?Q?q3=ZZ?=.pdf"')]))


@bad("unterminated-encoded-word")
def _():
    return message(envelope("Encoded word never closed"),
                   multipart("mixed", "uw", [text_part(), leaf('application/pdf; name="=?utf-8?Q?minutes.pdf"',
                                                               b64(pdf(100)), "base64")]))


@bad("empty-multipart-hidden-preamble")
def _():
    # No part at all, but a header in the preamble: the body is one leaf, and a client that
    # reads the preamble as a part shows a program.
    pre = ("Content-Type: application/octet-stream; name=\"setup.exe\"\nContent-Transfer-Encoding: base64\n\n"
           + b64(exe(120)).decode())
    return raw_message("Empty multipart with a preamble part", 'multipart/mixed; boundary="nothing"', pre + "--nothing--\n")


@bad("rfc2231-unknown-charset")
def _():
    return message(envelope("Unknown 2231 charset"),
                   multipart("mixed", "u2231", [text_part(), leaf("application/pdf", b64(pdf(100)), "base64",
                                                                  "attachment; filename*=x-klingon''%41%42.pdf")]))


@bad("rfc2231-continuation-gap")
def _():
    return message(envelope("Continuation gap"),
                   multipart("mixed", "gap", [text_part(), leaf("application/pdf", b64(pdf(100)), "base64",
                                                                'attachment; filename*0="part-one-";\n filename*2="three.pdf"')]))


@bad("multipart-with-base64-cte")
def _():
    inner = multipart("mixed", "inner-b64", [text_part(), attachment("application/pdf", "i.pdf", pdf(200))])
    inner.headers.append(("Content-Transfer-Encoding", "base64"))
    return message(envelope("CTE on a multipart"), multipart("mixed", "outer-b64", [text_part("top\n"), inner]))


@bad("rfc822-base64")
def _():
    inner = message(envelope("Hidden inner"), multipart("mixed", "hid", [text_part(), attachment("application/octet-stream", "in.exe", exe(100))]), b"\n")
    return message(envelope("Encoded message/rfc822"),
                   multipart("mixed", "r64", [text_part(), leaf("message/rfc822", b64(inner), "base64", "attachment")]))


@bad("rfc822-empty")
def _():
    return message(envelope("Empty forwarded message"),
                   multipart("mixed", "r0", [text_part(), leaf("message/rfc822", b"", None, "attachment")]))


@bad("nul-bytes")
def _():
    part = leaf("text/plain", b"before\x00after\x00\x00end\n", "8bit")
    return message(envelope("NUL bytes"), multipart("mixed", "nul", [text_part(), part]))


@bad("long-header-line")
def _():
    name = "A" * 20000 + ".pdf"
    return message(envelope("20 kB file name"),
                   multipart("mixed", "longh", [text_part(), leaf('application/pdf; name="%s"' % name, b64(pdf(100)), "base64")]))


@bad("obsolete-folding")
def _():
    # obs-FWS: a continuation line holding only white space, then the value.
    return (b"From: alice@example.org\r\nSubject: obsolete\r\nMIME-Version: 1.0\r\nContent-Type:\r\n   \r\n"
            b" multipart/mixed;\r\n boundary=\"obs\"\r\n\r\n--obs\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
            b"--obs\r\nContent-Type : application/pdf\r\nContent-Disposition: attachment; filename=obs.pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(pdf(100)).replace(b"\n", b"\r\n") + b"--obs--\r\n")


@bad("depth-40")
def _():
    part = attachment("application/octet-stream", "bottom.exe", exe(50))
    for depth in range(40, 0, -1):
        part = multipart("mixed", "d%d" % depth, [part])
    return message(envelope("Forty levels deep"), part)
