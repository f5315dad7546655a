"""Build raw MIME messages byte by byte, so the corpus controls every detail a parser sees.

Python's email package would normalise what we want to keep odd (line endings, folding,
parameter order, duplicate headers), so messages are assembled from plain pieces here.
"""

import base64
import binascii
import quopri


class Part:
    """One MIME entity: headers, then either a body or multipart children.

    Text is written with "\\n" and converted to the message's line ending on render;
    `raw=True` bodies (Content-Transfer-Encoding: binary) are inserted untouched.
    """

    def __init__(self, headers, body=b"", children=None, boundary=None,
                 preamble=b"", epilogue=b"", raw=False, close=True, blank=True):
        self.headers = headers
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.children = children
        self.boundary = boundary
        self.preamble = preamble
        self.epilogue = epilogue
        self.raw = raw
        self.close = close      # write the closing delimiter of a multipart
        self.blank = blank      # write the blank line between headers and body

    def render(self, eol=b"\r\n"):
        out = bytearray()
        for name, value in self.headers:
            line = value if isinstance(value, bytes) else value.encode("utf-8")
            out += name.encode() + b": " + line.replace(b"\n", eol) + eol
        if self.blank:
            out += eol
        if self.children is None:
            out += self.body if self.raw else self.body.replace(b"\n", eol)
            return bytes(out)
        b = self.boundary.encode()
        if self.preamble:
            out += self.preamble.replace(b"\n", eol) + eol
        for child in self.children:
            out += b"--" + b + eol
            out += child.render(eol)
            if not out.endswith(eol):
                out += eol
        if self.close:
            out += b"--" + b + b"--" + eol
        if self.epilogue:
            out += self.epilogue.replace(b"\n", eol)
        return bytes(out)


def envelope(subject, sender="Alice Example <alice@example.org>",
             to="Bob Example <bob@example.net>", date="Tue, 03 Mar 2026 10:15:00 +0100",
             msgid=None, extra=()):
    """The top-level headers every message starts with (no personal data: example domains)."""
    msgid = msgid or "<%s@corpus.example.org>" % abs(hash_str(subject))
    return [("From", sender), ("To", to), ("Subject", subject), ("Date", date),
            ("Message-ID", msgid), *extra, ("MIME-Version", "1.0")]


def hash_str(text):
    """A stable small integer from text (Python's hash() is salted per run)."""
    return binascii.crc32(text.encode("utf-8"))


def b64(data, width=76):
    """Base64 with lines of `width` characters and a final newline."""
    enc = base64.b64encode(data)
    return b"\n".join(enc[i:i + width] for i in range(0, len(enc), width)) + b"\n"


def qp(data):
    """Quoted-printable as quopri writes it (soft breaks at 76, trailing space escaped)."""
    return quopri.encodestring(data)


def uu(data, name="file.bin", mode="644"):
    """A uuencoded block with begin/end lines."""
    lines = [b"begin %s %s" % (mode.encode(), name.encode())]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45]).rstrip(b"\n"))
    lines += [b"`", b"end"]
    return b"\n".join(lines) + b"\n"


def encoded_word(text, charset="utf-8", mode="B"):
    """An RFC 2047 encoded word for `text` in `charset`."""
    raw = text.encode(charset)
    if mode == "B":
        payload = base64.b64encode(raw).decode()
    else:
        payload = "".join(
            "_" if c == 0x20 else (chr(c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)
                                   else "=%02X" % c)
            for c in raw)
    return "=?%s?%s?%s?=" % (charset, mode, payload)


def pct(text, charset="utf-8"):
    """RFC 2231 percent-encoding of `text` in `charset`."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
    return "".join(chr(c) if c in safe else "%%%02X" % c for c in text.encode(charset))


def rfc2231(param, text, charset="utf-8", pieces=1, lang=""):
    """`param*=charset'lang'value`, split into `pieces` continuations when pieces > 1."""
    value = pct(text, charset)
    if pieces <= 1:
        return "%s*=%s'%s'%s" % (param, charset, lang, value)
    size = -(-len(value) // pieces)
    chunks, i = [], 0
    while i < len(value):
        end = min(len(value), i + size)
        # never cut a %XX escape in half
        while end < len(value) and "%" in value[end - 2:end]:
            end += 1
        chunks.append(value[i:end])
        i = end
    parts = []
    for n, chunk in enumerate(chunks):
        if n == 0:
            parts.append("%s*0*=%s'%s'%s" % (param, charset, lang, chunk))
        else:
            parts.append("%s*%d*=%s" % (param, n, chunk))
    return ";\n ".join(parts)


def leaf(ctype, body, cte=None, disposition=None, extra=()):
    """A non-multipart part with the usual headers."""
    headers = [("Content-Type", ctype)]
    if cte:
        headers.append(("Content-Transfer-Encoding", cte))
    if disposition:
        headers.append(("Content-Disposition", disposition))
    headers += list(extra)
    return Part(headers, body)


def multipart(subtype, boundary, children, headers=(), preamble=b"", epilogue=b"", **kw):
    """A multipart part with `boundary` quoted in its Content-Type."""
    return Part([("Content-Type", 'multipart/%s; boundary="%s"' % (subtype, boundary)),
                 *headers], children=children, boundary=boundary,
                preamble=preamble, epilogue=epilogue, **kw)


def message(top_headers, body_part, eol=b"\r\n"):
    """A whole message: top headers merged with the root part's headers."""
    root = Part(list(top_headers) + body_part.headers, body_part.body, body_part.children,
                body_part.boundary, body_part.preamble, body_part.epilogue, body_part.raw,
                body_part.close, body_part.blank)
    return root.render(eol)
