#!/usr/bin/env python3
"""Writes the benchmarks' signature databases, deterministic and matching nothing real.

usage: make_database.py DIR HASHES BODIES
       make_database.py DIR --official [TOTAL]

The first form (scripts/bench.sh): bench.hdb holds HASHES MD5 signatures of random contents
(they match nothing in the corpus but cost load time and memory as real ones do); bench.ndb holds
EICAR and BODIES random 16-byte body signatures. Every contender loads this same directory.

The second form: about TOTAL signatures (default 8,000,000, the size of ClamAV's official set)
in the official mix: file hashes (MD5 .hdb 55%, SHA-256 .hsb 33%), PE section hashes (.mdb
3.5%), body signatures (.ndb 7.5%: plain, with wildcards, alternatives and ranges, on any file,
PE, HTML, mail and text targets), logical signatures (.ldb 0.5%, 40,000 of 8 M: 2 to 4
subsignatures with a logical expression, 1% of them with a PCRE subsignature), plus EICAR as a
body signature so a check can see the set works. libclamav evaluates every logical signature
for every file it scans (the message, each part, each normalized text), so their number sets
the cost of a small message: 25,000 of them made one pass over a 21.6 KB message cost 55 ms of
CPU against 5.6 ms without them. Every pattern comes from a seeded generator: random 16+ byte
patterns and hashes of random contents match nothing real. The files are written into DIR (a
temporary directory; never commit them).
"""
import random
import sys
from pathlib import Path

EICAR_BODY = "Bench.EICAR:0:*:" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex() + "\n"


def small(out, hashes, bodies):
    rng = random.Random(9)
    with open(out / "bench.hdb", "w") as f:
        for i in range(hashes):
            f.write(f"{rng.getrandbits(128):032x}:{rng.randint(100, 5_000_000)}:Bench.Hash.{i}\n")
    with open(out / "bench.ndb", "w") as f:
        f.write(EICAR_BODY)
        for i in range(bodies):
            f.write(f"Bench.Body.{i}:0:*:{rng.getrandbits(128):032x}\n")
    print(f"make_database: {hashes} hash and {bodies + 1} body signatures in {out}")


def body_pattern(rng):
    """A body pattern of 16-40 random bytes, some with the wildcards real .ndb lines use."""
    kind = rng.random()
    def hexbytes(n):
        return f"{rng.getrandbits(8 * n):0{2 * n}x}"
    if kind < 0.55:
        return hexbytes(rng.randint(16, 40))
    if kind < 0.75:
        return hexbytes(rng.randint(8, 16)) + "??" * rng.randint(1, 4) + hexbytes(rng.randint(8, 16))
    if kind < 0.90:
        return hexbytes(rng.randint(8, 16)) + "{" + f"{rng.randint(0, 20)}-{rng.randint(21, 200)}" + "}" + hexbytes(rng.randint(8, 16))
    if kind < 0.97:
        return hexbytes(rng.randint(8, 16)) + "*" + hexbytes(rng.randint(8, 16))
    return hexbytes(rng.randint(8, 12)) + f"({hexbytes(2)}|{hexbytes(2)}|{hexbytes(2)})" + hexbytes(rng.randint(8, 12))


def official(out, total):
    rng = random.Random(8_000_000)
    counts = {
        "hdb": int(total * 0.55), "hsb": int(total * 0.33), "mdb": int(total * 0.035),
        "ndb": int(total * 0.075), "ldb": int(total * 0.005),
    }
    with open(out / "official.hdb", "w") as f:
        for i in range(counts["hdb"]):
            f.write(f"{rng.getrandbits(128):032x}:{rng.randint(100, 20_000_000)}:Bench.Official.Hash.{i}\n")
    with open(out / "official.hsb", "w") as f:
        for i in range(counts["hsb"]):
            f.write(f"{rng.getrandbits(256):064x}:{rng.randint(100, 20_000_000)}:Bench.Official.Sha256.{i}\n")
    with open(out / "official.mdb", "w") as f:
        for i in range(counts["mdb"]):
            f.write(f"{rng.randint(512, 400_000)}:{rng.getrandbits(128):032x}:Bench.Official.Section.{i}\n")
    targets = [0, 0, 0, 1, 1, 3, 4, 7]
    with open(out / "official.ndb", "w") as f:
        f.write(EICAR_BODY)
        for i in range(counts["ndb"]):
            f.write(f"Bench.Official.Body.{i}:{rng.choice(targets)}:*:{body_pattern(rng)}\n")
    pcre = 0
    with open(out / "official.ldb", "w") as f:
        for i in range(counts["ldb"]):
            subs = [f"{rng.getrandbits(8 * n):0{2 * n}x}" for n in [rng.randint(8, 20) for _ in range(rng.randint(2, 4))]]
            target = rng.choice([0, 1, 3, 7])
            if i % 100 == 0:
                # A PCRE subsignature, triggered by subsignature 0 as ClamAV requires.
                word = "".join(rng.choice("bcdfghjkmnpqrstvwxz") for _ in range(10))
                subs.append(f"0/{word}[0-9]{{4}}q{rng.getrandbits(32):08x}/i")
                pcre += 1
            expression = "&".join(str(n) for n in range(len(subs))) if rng.random() < 0.6 else \
                "(" + "|".join(str(n) for n in range(len(subs) - 1)) + f")&{len(subs) - 1}"
            f.write(f"Bench.Official.Logical.{i};Engine:81-255,Target:{target};{expression};" + ";".join(subs) + "\n")
    signatures = sum(counts.values()) + 1
    detail = ", ".join(f"{n} .{kind}" for kind, n in counts.items())
    print(f"make_database: {signatures} signatures ({detail}, {pcre} of the .ldb with PCRE, + EICAR) in {out}")


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) >= 3 and sys.argv[2] == "--official":
        official(out, int(sys.argv[3]) if len(sys.argv) > 3 else 8_000_000)
    elif len(sys.argv) == 4:
        small(out, int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
