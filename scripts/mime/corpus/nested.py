"""Nested multiparts, forwarded messages, signed/encrypted and report shapes."""

from .builder import Part, b64, encoded_word, envelope, leaf, message, multipart, qp, rfc2231
from .payloads import docx, exe, gif, ics, jpeg, pdf, png, prose, zip_bytes
from .registry import case
from .wellformed import attachment, html_part, text_part


def inner_message(subject, body_part, sender="Carol Example <carol@example.com>"):
    """The bytes of a message to forward, with LF line endings (converted by the outer message)."""
    return message(envelope(subject, sender=sender, date="Mon, 02 Mar 2026 08:00:00 +0000"), body_part, b"\n")


def rfc822(inner, name=None, disposition="attachment"):
    """A message/rfc822 part around `inner` bytes."""
    ctype = "message/rfc822" + ('; name="%s"' % name if name else "")
    disp = disposition + ('; filename="%s"' % name if name else "") if disposition else None
    return leaf(ctype, inner, None, disp)


@case("nested-mixed-alt-related")
def _():
    text = prose()
    related = multipart("related", "rel-1", [
        html_part(text + "<img src=\"cid:logo@corpus\">"),
        leaf("image/png", b64(png()), "base64", "inline", [("Content-ID", "<logo@corpus>")])],
        headers=[])
    alt = multipart("alternative", "alt-2", [text_part(text), related])
    return message(envelope("Mixed, alternative, related"),
                   multipart("mixed", "mix-3", [alt, attachment("application/pdf", "brochure.pdf", pdf())]))


@case("nested-depth-6")
def _():
    part = attachment("application/zip", "deep.zip", zip_bytes({"deep.txt": b"deep\n"}))
    for depth in range(6, 0, -1):
        part = multipart("mixed", "depth-%d" % depth, [text_part("Level %d\n" % depth), part])
    return message(envelope("Six levels"), part)


@case("nested-siblings")
def _():
    a = multipart("mixed", "sib-a", [text_part("A1\n"), text_part("A2\n")])
    b = multipart("mixed", "sib-b", [attachment("image/gif", "b1.gif", gif()),
                                     multipart("alternative", "sib-c", [text_part("C1\n"), html_part("C2")])])
    return message(envelope("Siblings"), multipart("mixed", "sib-root", [a, b, text_part("tail\n")]))


@case("nested-parallel")
def _():
    return message(envelope("Parallel"),
                   multipart("parallel", "par", [leaf("image/jpeg", b64(jpeg()), "base64"),
                                                 leaf("audio/basic", b64(bytes(200)), "base64")]))


@case("forward-rfc822")
def _():
    inner = inner_message("Original message", text_part("The original text.\n"))
    return message(envelope("Fwd: Original message"),
                   multipart("mixed", "fwd-1", [text_part("Forwarding this.\n"), rfc822(inner, "Original message.eml")]))


@case("forward-rfc822-multipart")
def _():
    inner = inner_message("Original with attachment",
                          multipart("mixed", "inner-b", [text_part("See the PDF.\n"),
                                                         attachment("application/pdf", "inner.pdf", pdf())]))
    return message(envelope("Fwd: Original with attachment"),
                   multipart("mixed", "fwd-2", [text_part("FYI\n"), rfc822(inner)]))


@case("forward-rfc822-nested-twice")
def _():
    innermost = inner_message("Level 2", multipart("mixed", "l2", [text_part("deepest\n"),
                                                                   attachment("application/octet-stream", "payload.exe", exe())]))
    middle = inner_message("Level 1", multipart("mixed", "l1", [text_part("middle\n"), rfc822(innermost)]))
    return message(envelope("Fwd: Fwd: nested"),
                   multipart("mixed", "l0", [text_part("top\n"), rfc822(middle, "Level 1.eml")]))


@case("forward-rfc822-root")
def _():
    inner = inner_message("Wrapped", text_part("The whole message is another message.\n"))
    return message(envelope("Whole message is message/rfc822"), leaf("message/rfc822", inner, "7bit"))


@case("forward-rfc822-inline")
def _():
    inner = inner_message("Inline forward", multipart("alternative", "in-alt", [text_part(), html_part()]))
    return message(envelope("Fwd: Inline forward"),
                   multipart("mixed", "fwd-inline", [text_part("below\n"), rfc822(inner, disposition="inline")]))


@case("forward-rfc822-lf")
def _():
    inner = inner_message("LF forward", multipart("mixed", "lf-in", [text_part(), attachment("image/png", "a.png", png())]))
    return message(envelope("Fwd: LF"), multipart("mixed", "lf-out", [text_part("fwd\n"), rfc822(inner)]), b"\n")


@case("forward-message-global")
def _():
    inner = message([("From", "Jürgen <jürgen@example.de>"), ("To", "bob@example.net"),
                     ("Subject", "Grüße"), ("MIME-Version", "1.0")],
                    text_part("UTF-8 headers inside message/global.\n", "utf-8", "8bit"), b"\n")
    return message(envelope("message/global"),
                   multipart("mixed", "glob", [text_part("see\n"), leaf("message/global", inner, "8bit")]))


@case("digest")
def _():
    # RFC 2046 §5.1.5: parts of a digest default to message/rfc822.
    msgs = []
    for n in range(3):
        inner = inner_message("Digest item %d" % n, text_part("Item %d\n" % n))
        msgs.append(Part([], inner))
    return message(envelope("Digest"), multipart("digest", "dig", msgs, preamble=b"Three messages.\n"))


@case("signed-smime")
def _():
    body = multipart("mixed", "smime-in", [text_part("Signed.\n"), attachment("application/pdf", "signed.pdf", pdf())])
    sig = leaf('application/pkcs7-signature; name="smime.p7s"', b64(bytes(range(256)) * 2), "base64",
               'attachment; filename="smime.p7s"', [("Content-Description", "S/MIME Cryptographic Signature")])
    part = Part([("Content-Type", 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\n'
                  ' boundary="------------ms010203"')],
                children=[body, sig], boundary="------------ms010203",
                preamble=b"This is a cryptographically signed message in MIME format.\n")
    return message(envelope("Signed S/MIME"), part)


@case("signed-pgp")
def _():
    sig = leaf('application/pgp-signature; name="signature.asc"',
               "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n",
               None, 'attachment; filename="signature.asc"')
    part = Part([("Content-Type", 'multipart/signed; micalg=pgp-sha256;\n protocol="application/pgp-signature"; boundary="pgp-sig"')],
                children=[text_part("Signed text.\n"), sig], boundary="pgp-sig")
    return message(envelope("Signed PGP"), part)


@case("encrypted-pgp")
def _():
    part = Part([("Content-Type", 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="pgp-enc"')],
                children=[leaf("application/pgp-encrypted", "Version: 1\n", None),
                          leaf('application/octet-stream; name="encrypted.asc"',
                               "-----BEGIN PGP MESSAGE-----\n\nhQEMA+x\n=zzzz\n-----END PGP MESSAGE-----\n",
                               None, 'inline; filename="encrypted.asc"')], boundary="pgp-enc")
    return message(envelope("Encrypted PGP"), part)


@case("smime-enveloped")
def _():
    return message(envelope("S/MIME enveloped"),
                   leaf('application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
                        b64(bytes(range(200))), "base64", 'attachment; filename="smime.p7m"'))


@case("related-content-location")
def _():
    rel = Part([("Content-Type", 'multipart/related; type="text/html"; boundary="rel-loc"')],
               children=[html_part('<img src="http://example.org/logo.gif">'),
                         leaf("image/gif", b64(gif()), "base64", None,
                              [("Content-Location", "http://example.org/logo.gif")])], boundary="rel-loc")
    return message(envelope("Related with Content-Location"), rel)


@case("bounce-report-headers")
def _():
    original = "From: bob@example.net\nTo: nobody@example.com\nSubject: hello\nMessage-ID: <orig@example.net>\n"
    part = Part([("Content-Type", 'multipart/report; report-type=delivery-status;\n boundary="bounce-1"')],
                children=[text_part("This is the mail system at host mx.example.org.\n\nI'm sorry to have to inform you...\n"),
                          leaf("text/rfc822-headers", original, None)], boundary="bounce-1")
    return message(envelope("Undelivered Mail Returned to Sender", sender="MAILER-DAEMON@example.org"), part)


@case("mixed-many-text-parts")
def _():
    parts = [text_part("Part %d\n" % n, "utf-8", ("7bit", "8bit", "quoted-printable", "base64")[n % 4]) for n in range(12)]
    return message(envelope("Twelve text parts"), multipart("mixed", "twelve", parts))


@case("mixed-docx-ics-lf")
def _():
    return message(envelope("Office and calendar"),
                   multipart("mixed", "office", [text_part(), attachment("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Brief.docx", docx()),
                                                 attachment("text/calendar", "termin.ics", ics().encode())]), b"\n")
