#!/usr/bin/env python3
"""Writes the benchmarks' small message: a text part and a 15 KB attachment in base64, 21.6 KB
in all (deterministic). usage: small_message.py OUT.eml"""
import email.policy
import random
import sys
from email.message import EmailMessage

rng = random.Random(21)
m = EmailMessage(policy=email.policy.SMTP)
m["From"] = "sender@bench.example"
m["To"] = "rcpt@bench.example"
m["Subject"] = "the report"
words = ["the", "report", "is", "attached", "numbers", "for", "week", "see"]
m.set_content("Hello,\n\n" + " ".join(rng.choice(words) for _ in range(150)) + "\n")
m.add_attachment(bytes(rng.getrandbits(8) for _ in range(15 * 1024)), maintype="application",
                 subtype="octet-stream", filename="report.bin")
open(sys.argv[1], "wb").write(m.as_bytes())
