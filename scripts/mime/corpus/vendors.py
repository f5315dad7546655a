"""Shapes written the way common mail clients write them (from their documented output)."""

from .builder import Part, b64, encoded_word, envelope, leaf, message, multipart, qp, rfc2231
from .payloads import docx, html, ics, jpeg, ole, pdf, png, prose, zip_bytes
from .registry import case


def tb_text(text, flowed=True):
    """Thunderbird's text part: UTF-8, format=flowed, 7bit or 8bit."""
    cte = "8bit" if any(ord(c) > 127 for c in text) else "7bit"
    return leaf("text/plain; charset=UTF-8" + ("; format=flowed" if flowed else ""), text.encode(), cte)


def tb_attach(ctype, name, data):
    """Thunderbird's attachment: name in Content-Type, filename in disposition, 2231 when needed."""
    if all(ord(c) < 128 for c in name) and len(name) < 60:
        return leaf('%s; name="%s"' % (ctype, name), b64(data, 72), "base64", 'attachment; filename="%s"' % name)
    return leaf("%s;\n %s" % (ctype, rfc2231("name", name, pieces=2)), b64(data, 72), "base64",
                "attachment;\n " + rfc2231("filename", name, pieces=2))


TB = [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0"),
      ("Content-Language", "en-US")]


@case("thunderbird-plain")
def _():
    return message(envelope("Thunderbird plain", extra=TB), tb_text(prose()))


@case("thunderbird-attachment")
def _():
    b = "------------9Zk3yXo2b1L0Qp7Rt5Uv"
    return message(envelope("Thunderbird attachment", extra=TB),
                   multipart("mixed", b, [tb_text("Hi,\n\nthe report is attached.\n\nCheers\n"),
                                          tb_attach("application/pdf", "Report 2026.pdf", pdf())],
                             preamble=b"This is a multi-part message in MIME format."))


@case("thunderbird-long-utf8-name")
def _():
    b = "------------Ab12Cd34Ef56Gh78Ij90"
    name = "Übersicht der Änderungen im Vertrag zwischen beiden Parteien – Entwurf 3.docx"
    return message(envelope("Thunderbird long name", extra=TB),
                   multipart("mixed", b, [tb_text("Anbei.\n"), tb_attach(
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name, docx())],
                             preamble=b"This is a multi-part message in MIME format."))


@case("thunderbird-html-alt")
def _():
    text = prose()
    return message(envelope("Thunderbird HTML", extra=TB),
                   multipart("alternative", "------------zH3vPZf0sW2m6lq1", [
                       tb_text(text), leaf("text/html; charset=UTF-8", html(text).encode(), "7bit")],
                             preamble=b"This is a multi-part message in MIME format."))


@case("thunderbird-forward-attached")
def _():
    inner = message(envelope("Budget", sender="Carol <carol@example.com>"), tb_text("Numbers inside.\n"), b"\n")
    return message(envelope("Fwd: Budget", extra=TB),
                   multipart("mixed", "------------fWd0123456789", [
                       tb_text("Forwarding.\n"),
                       leaf('message/rfc822; charset=UTF-8; name="Budget.eml"', inner, "7bit",
                            'attachment; filename="Budget.eml"')],
                             preamble=b"This is a multi-part message in MIME format."))


OUTLOOK = [("Thread-Topic", "Quarterly numbers"), ("Thread-Index", "AdqMXYZabcdEFGhijklmnoPQRSTuvw=="),
           ("Accept-Language", "en-US"), ("Content-Language", "en-US"), ("X-MS-Has-Attach", "yes"),
           ("X-MS-TNEF-Correlator", "")]


def outlook_alt(text, bnd):
    """Outlook's text/plain + text/html pair, both quoted-printable."""
    return multipart("alternative", bnd, [
        leaf('text/plain; charset="us-ascii"', qp(text.encode()), "quoted-printable"),
        leaf('text/html; charset="us-ascii"',
             qp(('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>\n'
                 '<meta http-equiv="Content-Type" content="text/html; charset=us-ascii"></head>'
                 '<body lang="EN-US"><div class="WordSection1"><p class="MsoNormal">%s<o:p></o:p></p>'
                 '</div></body></html>\n' % text.replace("\n", "<br>")).encode()), "quoted-printable")])


@case("outlook-plain-html")
def _():
    return message(envelope("Outlook alternative", extra=OUTLOOK[:4]),
                   outlook_alt(prose(), "_000_DB9PR04MB8123ABCDEFEURPRD04prodoutlook_"))


@case("outlook-attachment")
def _():
    att = leaf('application/pdf; name="Q1 numbers.pdf"', b64(pdf()), "base64",
               'attachment; filename="Q1 numbers.pdf"; size=1647;\n\tcreation-date="Tue, 03 Mar 2026 09:10:11 GMT";\n'
               '\tmodification-date="Tue, 03 Mar 2026 09:10:11 GMT"',
               [("Content-Description", "Q1 numbers.pdf")])
    return message(envelope("Outlook attachment", extra=OUTLOOK),
                   multipart("mixed", "_004_DB9PR04MB8123ABCDEFEURPRD04prodoutlook_", [
                       outlook_alt(prose(), "_000_DB9PR04MB8123ABCDEFEURPRD04prodoutlook_"), att]))


@case("outlook-inline-image")
def _():
    img = leaf('image/png; name="image001.png"', b64(png(16, 16)), "base64",
               'inline; filename="image001.png"; size=300;\n\tcreation-date="Tue, 03 Mar 2026 09:10:11 GMT"',
               [("Content-Description", "image001.png"), ("Content-ID", "<image001.png@01DA6D2F.12345670>")])
    related = Part([("Content-Type", 'multipart/related;\n\tboundary="_005_AM0PR01MB0001related_";\n\ttype="multipart/alternative"')],
                   children=[outlook_alt(prose(), "_000_AM0PR01MB0001alt_"), img], boundary="_005_AM0PR01MB0001related_")
    return message(envelope("Outlook signature image", extra=OUTLOOK), related)


@case("outlook-winmail-dat")
def _():
    tnef = b"\x78\x9f\x3e\x22" + bytes(range(256)) * 3
    return message(envelope("Outlook TNEF", extra=OUTLOOK),
                   multipart("mixed", "_003_VI1PR02MB0002tnef_", [
                       leaf('text/plain; charset="us-ascii"', qp(prose().encode()), "quoted-printable"),
                       leaf('application/ms-tnef; name="winmail.dat"', b64(tnef), "base64",
                            'attachment; filename="winmail.dat"')]))


@case("outlook-calendar")
def _():
    return message(envelope("Outlook invitation", extra=OUTLOOK[:4]),
                   multipart("alternative", "_000_calendar_", [
                       leaf('text/plain; charset="utf-8"', b64(prose().encode()), "base64"),
                       leaf('text/html; charset="utf-8"', b64(html(prose()).encode()), "base64"),
                       leaf('text/calendar; charset="utf-8"; method=REQUEST', b64(ics().encode()), "base64")]))


@case("outlook-msg-attached")
def _():
    inner = message(envelope("Original", sender="Dan <dan@example.com>"),
                    multipart("mixed", "_inner_", [leaf('text/plain; charset="us-ascii"', prose().encode(), "7bit"),
                                                   leaf('application/vnd.ms-excel; name="book.xls"', b64(ole()), "base64",
                                                        'attachment; filename="book.xls"')]), b"\n")
    return message(envelope("FW: Original", extra=OUTLOOK),
                   multipart("mixed", "_002_outlook_fw_", [
                       outlook_alt("See below.\n", "_000_outlook_fw_"),
                       leaf("message/rfc822", inner, None, "attachment;\n\tcreation-date=\"Tue, 03 Mar 2026 09:10:11 GMT\"")]))


@case("outlook-rfc2047-attachment-name")
def _():
    word = encoded_word("Präsentation Kunde.pptx", "iso-8859-1", "B")
    att = leaf('application/vnd.openxmlformats-officedocument.presentationml.presentation;\n\tname="%s"' % word,
               b64(zip_bytes({"ppt/presentation.xml": b"<p/>"})), "base64",
               'attachment;\n\tfilename="%s"; size=200' % word, [("Content-Description", word)])
    return message(envelope("Outlook encoded name", extra=OUTLOOK),
                   multipart("mixed", "_004_outlook_enc_", [outlook_alt(prose(), "_000_outlook_enc_"), att]))


APPLE = [("X-Mailer", "Apple Mail (2.3774.500.171.1.1)")]


def apple_env(subject):
    env = envelope(subject, extra=APPLE)
    return [h if h[0] != "MIME-Version" else ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3774.500.171.1.1\\))") for h in env]


@case("apple-mail-plain")
def _():
    return message(apple_env("Apple plain"), leaf("text/plain; charset=us-ascii", prose().encode(), "7bit"))


@case("apple-mail-attachment")
def _():
    outer = "Apple-Mail=_6F2A1C3E-4B5D-4E6F-8A9B-0C1D2E3F4A5B"
    inner = "Apple-Mail=_1A2B3C4D-5E6F-4A1B-9C8D-7E6F5A4B3C2D"
    mixed = multipart("mixed", inner, [
        leaf("text/html; charset=us-ascii", html("Here it is:").encode(), "7bit"),
        leaf('application/pdf; x-unix-mode=0644; name="Scan 2026-03-03.pdf"', b64(pdf()), "base64",
             'inline; filename="Scan 2026-03-03.pdf"'),
        leaf("text/html; charset=us-ascii", b"<html><body><div>Thanks</div></body></html>\n", "7bit")])
    return message(apple_env("Apple attachment"),
                   multipart("alternative", outer, [leaf("text/plain; charset=us-ascii", b"Here it is:\n\nThanks\n", "7bit"), mixed]))


@case("apple-mail-image-qp")
def _():
    b = "Apple-Mail=_AAAABBBB-CCCC-DDDD-EEEE-FFFF00001111"
    return message(apple_env("Apple image"),
                   multipart("mixed", b, [
                       leaf("text/plain; charset=utf-8", qp("Voilà la photo – ciao\n".encode()), "quoted-printable"),
                       leaf('image/jpeg; x-unix-mode=0666; name="IMG_1234.jpeg"', b64(jpeg()), "base64",
                            'inline; filename="IMG_1234.jpeg"', [("Content-Id", "<5F1A2B3C-0000-1111-2222-333344445555>")])]))


@case("iphone-attachment")
def _():
    b = "Apple-Mail-3B1D8F2A-9C4E-4F6A-B1D2-E3F4A5B6C7D8"
    env = [h if h[0] != "MIME-Version" else ("Mime-Version", "1.0 (1.0)") for h in envelope("iPhone photo", extra=[("X-Mailer", "iPhone Mail (21D61)")])]
    return message(env, multipart("mixed", b, [
        leaf('image/jpeg; name="image0.jpeg"; x-apple-part-url="AB12CD34-0000"', b64(jpeg()), "base64",
             'inline; filename="image0.jpeg"'),
        leaf("text/plain; charset=us-ascii", b"\nSent from my iPhone\n", "7bit")]))


def gmail_ids(n):
    return "0000000000%016x" % (0x5f1e2d3c4b5a6978 + n)


@case("gmail-alternative")
def _():
    text = prose()
    return message(envelope("Gmail alt"),
                   multipart("alternative", gmail_ids(1), [
                       leaf('text/plain; charset="UTF-8"', text.encode(), None),
                       leaf('text/html; charset="UTF-8"', '<div dir="ltr">%s</div>\n' % text.replace("\n", "<br>"), None)]))


@case("gmail-attachment")
def _():
    alt = multipart("alternative", gmail_ids(2), [
        leaf('text/plain; charset="UTF-8"', "Hallo, anbei die Rechnung – Grüße\n".encode(), "quoted-printable"),
        leaf('text/html; charset="UTF-8"', qp('<div dir="ltr">Hallo, anbei die Rechnung – Grüße</div>\n'.encode()), "quoted-printable")])
    att = leaf('application/pdf; name="Rechnung-2026-03.pdf"', b64(pdf()), "base64",
               'attachment; filename="Rechnung-2026-03.pdf"',
               [("Content-ID", "<f_lt2abc3d0>"), ("X-Attachment-Id", "f_lt2abc3d0")])
    return message(envelope("Gmail attachment"), multipart("mixed", gmail_ids(3), [alt, att]))


@case("gmail-inline-image")
def _():
    alt = multipart("alternative", gmail_ids(4), [
        leaf('text/plain; charset="UTF-8"', b"[image: pic.png]\n", None),
        leaf('text/html; charset="UTF-8"', b'<div dir="ltr"><img src="cid:ii_lt2x1" alt="pic.png"></div>\n', None)])
    img = leaf('image/png; name="pic.png"', b64(png()), "base64", 'inline; filename="pic.png"',
               [("Content-ID", "<ii_lt2x1>"), ("X-Attachment-Id", "ii_lt2x1")])
    return message(envelope("Gmail inline"),
                   multipart("related", gmail_ids(5), [alt, img]))


@case("gmail-utf8-name")
def _():
    word = encoded_word("Präsentation März.pdf", "UTF-8", "B")
    att = leaf('application/pdf; \n\tname="%s"' % word, b64(pdf()), "base64", 'attachment; \n\tfilename="%s"' % word,
               [("X-Attachment-Id", "f_lt2q")])
    return message(envelope("Gmail UTF-8 name"),
                   multipart("mixed", gmail_ids(6), [multipart("alternative", gmail_ids(7), [
                       leaf('text/plain; charset="UTF-8"', b"Anbei\n", None),
                       leaf('text/html; charset="UTF-8"', b'<div dir="ltr">Anbei</div>\n', None)]), att]))


@case("mutt-attachment")
def _():
    return message(envelope("mutt", extra=[("User-Agent", "Mutt/2.2.12 (2023-09-09)")]),
                   multipart("mixed", "x4Sc1Nu3yYeo7pLq", [
                       leaf("text/plain; charset=us-ascii", prose().encode(), None, "inline"),
                       leaf("application/gzip", b64(bytes(range(40))), "base64", 'attachment; filename="logs.tar.gz"')]))


@case("roundcube-attachment")
def _():
    b = "=_7f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c"
    return message(envelope("Roundcube", extra=[("User-Agent", "Roundcube Webmail/1.6.6")]),
                   multipart("mixed", b, [
                       leaf("text/plain; charset=US-ASCII; format=flowed", prose().encode(), "7bit"),
                       leaf("application/zip;\n name=files.zip", b64(zip_bytes({"x.txt": b"x"})), "base64",
                            "attachment;\n filename=files.zip;\n size=120")]))
