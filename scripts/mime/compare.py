#!/usr/bin/env python3
"""Compare `scanmilterctl mime --json` with Python's email package on the whole corpus.

For each message the leaf parts must agree on path, content type, charset, file name,
disposition, transfer encoding, decoded size and decoded SHA-256. A difference is accepted
only when Tests/MIMETests/Corpus/expected/NAME.json says why (`"reference_differs"`) and our
parser's reading is exactly the hand-reviewed one stored there. Exit 1 on any other difference.

Usage: compare.py SCANMILTERCTL [MESSAGES_DIR]
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import reference  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "Tests", "MIMETests", "Corpus")
FIELDS = ("path", "content_type", "charset", "filename", "disposition", "encoding", "size", "sha256")


def core(reading):
    """The compared facts of a reading: one tuple per leaf."""
    return [tuple(part.get(f) for f in FIELDS) for part in reading["parts"]]


def json_objects(text):
    """Every JSON value in `text` (an array, or objects one after another)."""
    decoder, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        value, i = decoder.raw_decode(text, i)
        out += value if isinstance(value, list) else [value]


def ours(ctl, files):
    """Our parser's readings, keyed by file name."""
    run = subprocess.run([ctl, "mime", "--json", *files], capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        sys.exit("compare: %s mime --json failed with exit %d" % (ctl, run.returncode))
    return {os.path.basename(obj["file"]): obj for obj in json_objects(run.stdout)}


def show(reading):
    return "\n".join("      " + " ".join("%s=%r" % (f, v) for f, v in zip(FIELDS, leaf)) for leaf in reading)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: compare.py SCANMILTERCTL [MESSAGES_DIR]")
    ctl = sys.argv[1]
    messages = sys.argv[2] if len(sys.argv) > 2 else os.path.join(CORPUS, "messages")
    files = sorted(os.path.join(messages, f) for f in os.listdir(messages) if f.endswith(".eml"))
    mine = ours(ctl, files)
    agree, justified, failures = 0, [], []
    for path in files:
        name = os.path.basename(path)
        ref = core(reference.read(path))
        if name not in mine:
            failures.append((name, "no output from scanmilterctl", ""))
            continue
        got = core(mine[name])
        expected_path = os.path.join(CORPUS, "expected", name[:-4] + ".json")
        expected = json.load(open(expected_path, encoding="utf-8")) if os.path.exists(expected_path) else {}
        if got == ref:
            agree += 1
        elif expected.get("reference_differs") and got == core(expected):
            justified.append((name, expected["reference_differs"]))
        else:
            why = ("differs from Python and from the reviewed expectation" if expected.get("reference_differs")
                   else "differs from Python, no justification in expected/")
            failures.append((name, why, "    ours:\n%s\n    python:\n%s" % (show(got), show(ref))))
    print("compare: %d messages, %d agree with Python's email, %d differ with a reason, %d unjustified"
          % (len(files), agree, len(justified), len(failures)))
    for name, reason in justified:
        print("  justified  %s: %s" % (name, reason))
    for name, why, detail in failures:
        print("  DIFFERENT  %s: %s\n%s" % (name, why, detail))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
