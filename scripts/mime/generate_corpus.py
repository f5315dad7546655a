#!/usr/bin/env python3
"""Write the MIME test corpus: Tests/MIMETests/Corpus/messages/NAME.eml.

Deterministic (each message seeds its own random stream from its name) and standard
library only. Messages whose name starts with "malformed-" are the hostile/broken set.
Usage: generate_corpus.py [OUTPUT_DIR]   (default: the corpus directory in the repository)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import malformed, names, nested, vendors, wellformed  # noqa: E402,F401 (registration)
from corpus.registry import CASES  # noqa: E402


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests", "MIMETests", "Corpus", "messages")
    os.makedirs(out, exist_ok=True)
    seen = set()
    total = 0
    for name, build in CASES:
        if name in seen:
            sys.exit("generate_corpus: duplicate name %s" % name)
        seen.add(name)
        data = build()
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(data)
        total += len(data)
    stale = [f for f in os.listdir(out) if f.endswith(".eml") and f[:-4] not in seen]
    for f in stale:
        os.remove(os.path.join(out, f))
    print("generate_corpus: %d messages, %d bytes in %s" % (len(CASES), total, out))


if __name__ == "__main__":
    main()
