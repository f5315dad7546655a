#!/usr/bin/env python3
"""Write Tests/MIMETests/Corpus/expected/NAME.json for every corpus message.

Well-formed messages: Python's reading (reference.py), with no defects and no alternative
readings: our parser must see exactly that.
Malformed messages ("malformed-*"): our parser's reading as recorded by the Swift test
(MIME_CORPUS_RECORD=DIR swift test --filter CorpusTests), to be reviewed by hand before it is
committed. Where Python reads the message differently, the reason comes from REASONS below
and is stored as "reference_differs"; a difference without a reason is reported.

Usage: make_expected.py [RECORD_DIR]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import reference  # noqa: E402
from compare import core  # noqa: E402
from reasons import REASONS  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Tests", "MIMETests", "Corpus")
ORDER = ("path", "content_type", "charset", "filename", "disposition", "encoding", "size", "sha256", "defects", "reading")


def ordered_leaf(leaf):
    return {k: leaf[k] for k in ORDER if k in leaf}


def write(name, reading):
    out = {"file": name + ".eml", "parts": [ordered_leaf(p) for p in reading["parts"]],
           "defects": reading["defects"], "alternatives": [ordered_leaf(p) for p in reading.get("alternatives", [])]}
    if reading.get("reference_differs"):
        out["reference_differs"] = reading["reference_differs"]
    with open(os.path.join(CORPUS, "expected", name + ".json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    record = sys.argv[1] if len(sys.argv) > 1 else None
    os.makedirs(os.path.join(CORPUS, "expected"), exist_ok=True)
    names = sorted(f[:-4] for f in os.listdir(os.path.join(CORPUS, "messages")) if f.endswith(".eml"))
    missing, written = [], 0
    for name in names:
        ref = reference.read(os.path.join(CORPUS, "messages", name + ".eml"))
        ref["alternatives"] = []
        if not name.startswith("malformed-"):
            write(name, ref)
            written += 1
            continue
        recorded = os.path.join(record, name + ".json") if record else None
        if not recorded or not os.path.exists(recorded):
            continue
        ours = json.load(open(recorded, encoding="utf-8"))
        if core(ours) != core(ref):
            if name in REASONS:
                ours["reference_differs"] = REASONS[name]
            else:
                missing.append(name)
        write(name, ours)
        written += 1
    unused = sorted(set(REASONS) - set(names))
    for name in missing:
        print("make_expected: %s differs from Python and has no reason in reasons.py" % name)
    for name in unused:
        print("make_expected: reasons.py names %s, which is not in the corpus" % name)
    print("make_expected: %d of %d expectations written" % (written, len(names)))


if __name__ == "__main__":
    main()
