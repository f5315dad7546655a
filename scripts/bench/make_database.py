#!/usr/bin/env python3
"""Writes the benchmark's signature database: EICAR as a body signature plus generated ones.

usage: make_database.py DIR HASHES BODIES

bench.hdb holds HASHES MD5 signatures of random contents (they match nothing in the corpus but
cost load time and memory as real ones do); bench.ndb holds EICAR and BODIES random 16-byte
body signatures. Every contender (scanmilter embedded, clamd for scanmilter and clamav-milter)
loads this same directory.
"""
import random
import sys
from pathlib import Path

out, hashes, bodies = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(9)
with open(out / "bench.hdb", "w") as f:
    for i in range(hashes):
        f.write(f"{rng.getrandbits(128):032x}:{rng.randint(100, 5_000_000)}:Bench.Hash.{i}\n")
with open(out / "bench.ndb", "w") as f:
    f.write("Bench.EICAR:0:*:" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex() + "\n")
    for i in range(bodies):
        f.write(f"Bench.Body.{i}:0:*:{rng.getrandbits(128):032x}\n")
print(f"make_database: {hashes} hash and {bodies + 1} body signatures in {out}")
