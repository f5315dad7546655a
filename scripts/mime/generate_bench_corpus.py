#!/usr/bin/env python3
"""Write the benchmark corpus (not committed: it is large) into OUT_DIR/{small,large,nested}.

  small   3000 short text mails (plain, alternative, a small attachment now and then)
  large   8 mails, each with 2-4 base64 attachments of 1-10 MiB of incompressible bytes
  nested  400 mails nested 10-30 multiparts deep, with message/rfc822 layers and small files

Deterministic (fixed seed), standard library only. Usage: generate_bench_corpus.py OUT_DIR
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus.builder import b64, envelope, leaf, message, multipart, qp  # noqa: E402

RNG = random.Random(7)
WORDS = "the quick brown fox jumps over lazy dog invoice meeting report budget please regards".split()
MiB = 1024 * 1024


def text(lines):
    return "".join(" ".join(RNG.choice(WORDS) for _ in range(11)) + "\n" for _ in range(lines))


def text_leaf(lines, cte="7bit"):
    body = text(lines).encode()
    return leaf("text/plain; charset=utf-8", qp(body) if cte == "quoted-printable" else body, cte)


def small(n):
    body = text_leaf(RNG.randrange(5, 60), RNG.choice(["7bit", "quoted-printable"]))
    shape = n % 3
    if shape == 0:
        root = body
    elif shape == 1:
        root = multipart("alternative", "alt-%d" % n,
                         [body, leaf("text/html; charset=utf-8", ("<p>%s</p>\n" % text(8)).encode(), "7bit")])
    else:
        root = multipart("mixed", "mix-%d" % n,
                         [body, leaf('application/pdf; name="a.pdf"', b64(RNG.randbytes(RNG.randrange(500, 4000))),
                                     "base64", 'attachment; filename="a.pdf"')])
    return message(envelope("small %d" % n), root)


def large(n):
    parts = [text_leaf(20)]
    for k in range(RNG.randrange(2, 5)):
        size = RNG.randrange(1 * MiB, 10 * MiB)
        parts.append(leaf('application/octet-stream; name="blob%d.bin"' % k, b64(RNG.randbytes(size)), "base64",
                          'attachment; filename="blob%d.bin"' % k))
    return message(envelope("large %d" % n), multipart("mixed", "large-%d" % n, parts))


def nested(n):
    depth = RNG.randrange(10, 31)
    part = leaf('application/zip; name="z.zip"', b64(RNG.randbytes(2000)), "base64", "attachment")
    for level in range(depth, 0, -1):
        if level % 7 == 0:
            inner = message(envelope("layer %d" % level), part, b"\n")
            part = leaf("message/rfc822", inner, "7bit")
        else:
            part = multipart("mixed", "n%d-l%d" % (n, level), [text_leaf(2), part])
    return message(envelope("nested %d" % n), part)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: generate_bench_corpus.py OUT_DIR")
    out = sys.argv[1]
    for kind, count, build in (("small", 3000, small), ("large", 8, large), ("nested", 400, nested)):
        d = os.path.join(out, kind)
        os.makedirs(d, exist_ok=True)
        total = 0
        for n in range(count):
            data = build(n)
            total += len(data)
            with open(os.path.join(d, "%05d.eml" % n), "wb") as f:
                f.write(data)
        print("generate_bench_corpus: %s: %d messages, %.1f MB" % (kind, count, total / 1e6))


if __name__ == "__main__":
    main()
