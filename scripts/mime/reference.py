#!/usr/bin/env python3
"""The reference reading of a message by Python's email package, as `scanmilterctl mime --json`.

Policy: `email.policy.default`. Unlike compat32 it decodes RFC 2047 encoded words inside
parameters (Outlook and Gmail write `name="=?UTF-8?B?...?="`, and every mail client shows
the decoded name), and it parses RFC 2231 continuations and charsets through the same header
registry. Both policies decode bodies identically, so nothing is lost by choosing it.

Paths follow IMAP (RFC 3501 §6.4.5), which is what our parser uses: the children of a
multipart are numbered 1, 2, ... below the multipart's own path (the root multipart has the
empty path, so its children are "1", "2"); a single-part root is "1"; a message/rfc822 part
at path P encloses a message whose root multipart's children are P.1, P.2, ... or, when that
root is not multipart, whose body is P.1 (a message/rfc822 root is itself part 1).

Usage: reference.py FILE...        prints one JSON object per file (a JSON list)
"""

import email
import email.policy
import hashlib
import json
import os
import sys

CONTAINERS = ("message/rfc822", "message/global")


def join(prefix, n):
    return "%s.%d" % (prefix, n) if prefix else str(n)


def leaves(part, path, out):
    """Append the leaf parts below `part` (at `path`, "" for the root) in document order."""
    ctype = part.get_content_type()
    if part.is_multipart() and ctype.startswith("multipart/"):
        for n, child in enumerate(part.get_payload(), 1):
            leaves(child, join(path, n), out)
    elif part.is_multipart() and ctype in CONTAINERS:
        inner = part.get_payload()[0]
        path = path or "1"   # a message/rfc822 root is part 1, its body 1.1
        if inner.is_multipart() and inner.get_content_type().startswith("multipart/"):
            leaves(inner, path, out)
        else:
            leaves(inner, join(path, 1), out)
    else:
        out.append((path or "1", part))


def describe(path, part):
    """One leaf in the `mime --json` shape."""
    data = part.get_payload(decode=True)
    if data is None:
        data = b""
    cte = part.get("content-transfer-encoding")
    encoding = str(cte.cte if hasattr(cte, "cte") else cte).strip().lower() if cte is not None else "7bit"
    return {
        "path": path,
        "content_type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "filename": part.get_filename(),
        "disposition": part.get_content_disposition(),
        "encoding": encoding,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "defects": [],
    }


def read(path):
    """The reference reading of the message file at `path`."""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    found = []
    leaves(msg, "", found)
    defects = []
    for part in msg.walk():
        defects += [type(d).__name__ for d in part.defects]
    return {
        "file": os.path.basename(path),
        "parts": [describe(p, part) for p, part in found],
        "defects": [],
        "python_defects": defects,
    }


def main():
    out = [read(p) for p in sys.argv[1:]]
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
