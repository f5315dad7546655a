#!/usr/bin/env python3
"""Samples one process's memory from /proc while a benchmark runs, to say WHAT holds its peak.

usage: rss_sampler.py PID OUT.json [INTERVAL_SECONDS]
Runs until the process exits or SIGTERM; then writes OUT.json with the sample at the highest
VmRSS (RssAnon: heap and other private memory; RssFile: mapped files such as the message temp
files and libraries; threads), the highest value of each field on its own, and VmHWM.
"""
import json
import signal
import sys
import time

pid, out = int(sys.argv[1]), sys.argv[2]
interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
fields = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM", "Threads")
running = True


def stop(*_):
    global running
    running = False


def sample():
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in fields:
                number = int(rest.split()[0])
                values[name] = number * 1024 if name != "Threads" else number
    return values


signal.signal(signal.SIGTERM, stop)
at_peak, highest, last = {}, {}, {}
while running:
    try:
        last = sample()
    except (FileNotFoundError, ProcessLookupError):
        break
    if last.get("VmRSS", 0) > at_peak.get("VmRSS", -1):
        at_peak = dict(last, seconds=round(time.monotonic(), 2))
    for name, value in last.items():
        highest[name] = max(highest.get(name, 0), value)
    time.sleep(interval)
with open(out, "w") as file:
    json.dump({"atPeakRSS": at_peak, "highest": highest, "last": last}, file)
