#!/usr/bin/env python3
"""Prints the CPU seconds and the proportional set size (PSS) of a process and all its
descendants, as JSON: {"processes": N, "cpuSeconds": S, "pssBytes": B, "rssBytes": B}.

usage: tree_usage.py PID

With scan workers the milter is three kinds of process (milter, zygote, workers) that share
the engine's pages; PSS divides each shared page among its sharers, so the sum over the tree is
what the whole scanner costs the machine, comparable with a single process's PSS.
"""
import json
import os
import sys

root = int(sys.argv[1])
ticks = os.sysconf("SC_CLK_TCK")
children = {}
for entry in os.listdir("/proc"):
    if not entry.isdigit():
        continue
    try:
        with open(f"/proc/{entry}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    except OSError:
        continue
tree, stack = [], [root]
while stack:
    pid = stack.pop()
    tree.append(pid)
    stack.extend(children.get(pid, []))
cpu = pss = rss = 0
for pid in tree:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
    except OSError:
        continue
print(json.dumps({"processes": len(tree), "cpuSeconds": round(cpu, 2), "pssBytes": pss, "rssBytes": rss}))
