#!/usr/bin/env python3
"""Turns one bench run's result files into the markdown table scripts/bench.sh prints and saves.

usage: report.py RESULTS_DIR
Reads the milter-load --json reports (load-*.json, layer-NAME-ROUND.json, memory.json), the verdict files,
postfix.tsv (name, messages/s of each run) and scan-bench.txt, all written by scripts/bench.sh.
"""
import json
import statistics
import sys
from pathlib import Path

results = Path(sys.argv[1])
out = []


def load(name):
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def mb(value):
    return f"{value / 1048576:.0f} MB"


def ratio(a, b):
    return a / b if b else float("nan")


def check(ok):
    return "met" if ok else "**missed**"


meta = json.loads((results / "meta.json").read_text())
out.append(f"Machine: {meta['machine']}; command: `{meta['command']}`; {meta['date']}.")
out.append("")

contenders = [("scanmilter (embedded libclamav)", "load-embedded"), ("scanmilter (clamd backend)", "load-clamd-backend"),
              ("clamav-milter + clamd", "load-clamav-milter"),
              ("scanmilter (embedded), strategy full (the default before)", "load-embedded-full")]
rows = [(label, load(name)) for label, name in contenders]
if not rows[-1][1]:
    rows.pop()
if all(r for _, r in rows):
    first = rows[0][1]
    out.append(f"### scanmilter against clamav-milter ({first['corpusMessages']}-message corpus, "
               f"{first['connections']} connections, unix sockets, {first['seconds']:.0f} s each)")
    out.append("")
    out.append("| milter | messages/s | MB/s | p50 ms | p90 ms | p99 ms | max ms | errors | peak RSS | CPU ms/message |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, r in rows:
        l = r["latencyMilliseconds"]
        cpu = 1000 * r["cpuSeconds"] / max(r["completed"], 1)
        out.append(f"| {label} | {r['messagesPerSecond']:.1f} | {r['megabytesPerSecond']:.1f} | {l['p50']:.1f} | {l['p90']:.1f} "
                   f"| {l['p99']:.1f} | {l['max']:.0f} | {r['errorCount']} | {mb(r['peakRSSBytes'])} | {cpu:.1f} |")
    emb, cm = rows[0][1], rows[2][1]
    speed = ratio(emb["messagesPerSecond"], cm["messagesPerSecond"])
    p99 = ratio(emb["latencyMilliseconds"]["p99"], cm["latencyMilliseconds"]["p99"])
    out.append("")
    out.append(f"- embedded ÷ clamav-milter messages/s: **{speed:.2f}×** (target ≥ 1.5×: {check(speed >= 1.5)})")
    out.append(f"- embedded ÷ clamav-milter p99 latency: **{p99:.2f}** (target ≤ 1: {check(p99 <= 1)})")
    if len(rows) > 3:
        full = rows[3][1]
        cpu = lambda r: r["cpuSeconds"] / max(r["completed"], 1)
        out.append(f"- strategy skeleton ÷ full: messages/s **{ratio(emb['messagesPerSecond'], full['messagesPerSecond']):.2f}×**, "
                   f"CPU per message **{ratio(cpu(emb), cpu(full)):.2f}**")
    verdicts = {}
    for name in ("embedded", "clamd-backend", "clamav-milter", "embedded-full"):
        path = results / f"verdicts-{name}.txt"
        verdicts[name] = dict(line.split("\t") for line in path.read_text().splitlines() if "\t" in line) if path.exists() else {}
    def differing(a, b, skip_banned):
        keys = [k for k in verdicts[a] if k in verdicts[b] and not (skip_banned and k.startswith("banned-"))]
        return [k for k in keys if verdicts[a][k] != verdicts[b][k]], len(keys)
    diff, n = differing("embedded", "clamav-milter", True)
    out.append(f"- verdicts, embedded vs clamav-milter, {n} messages without banned files: "
               f"{'identical' if not diff else 'differ on ' + ', '.join(sorted(diff)[:8])} ({check(not diff)})")
    diff, n = differing("embedded", "clamd-backend", False)
    out.append(f"- verdicts, embedded vs clamd backend, all {n} messages: {'identical' if not diff else 'differ on ' + ', '.join(sorted(diff)[:8])}")
    if verdicts["embedded-full"]:
        diff, n = differing("embedded", "embedded-full", False)
        out.append(f"- verdicts, strategy skeleton vs full, all {n} messages: {'identical' if not diff else 'differ on ' + ', '.join(sorted(diff)[:8])}")
    banned = emb["verdictsByKind"].get("banned", {})
    out.append(f"- banned files (scanmilter's type rules; clamav-milter has none): scanmilter {banned}, "
               f"clamav-milter {cm['verdictsByKind'].get('banned', {})}")
    out.append("")

# The Milter layer (scripts/bench/layer.sh): RUNS rounds per filter, interleaved; medians.
def layer_runs_of(name):
    return [json.loads(p.read_text()) for p in sorted(results.glob(f"layer-{name}-[0-9]*.json"))]


def per_message(field):
    return lambda r: 1000 * r[field] / max(r["completed"], 1)


def rate_of(r):
    return r["messagesPerSecond"]


def cost_of(r):
    return 1 / max(per_message("cpuSeconds")(r), 1e-9)


def layer_table(rows, runs):
    """The table of one layer comparison: medians over each filter's rounds."""
    out.append("| filter | messages/s | p50 ms | p99 ms | errors | filter CPU ms/message | milter-load CPU ms/message |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, name in rows:
        def median(figure):
            return statistics.median(figure(r) for r in runs[name])
        out.append(f"| {label} | {median(rate_of):.0f} | {median(lambda r: r['latencyMilliseconds']['p50']):.2f} | "
                   f"{median(lambda r: r['latencyMilliseconds']['p99']):.2f} | {sum(r['errorCount'] for r in runs[name])} | "
                   f"{median(per_message('cpuSeconds')):.4f} | {median(per_message('generatorCPUSeconds')):.4f} |")


layer = [("sample-milter (Swift Milter)", "sample"), ("C libmilter filter", "c"), ("pymilter filter", "py"),
         ("libmilter floor (C, end of message only)", "floor")]
# Issue #9's own definition of the comparison: sample-milter with the end-of-message callback only.
eom = [("sample-milter --end-of-message-only (Swift Milter)", "sample-eom"), ("C libmilter filter, eom", "c-eom"),
       ("pymilter filter, eom only", "py-eom")]
layer_runs = {name: layer_runs_of(name) for _, name in layer + eom}


# Ratios are paired: round i of one filter against round i of the other (they ran back to
# back), then the median over rounds, so load from elsewhere that drifts between rounds
# cancels out better than in a ratio of medians.
def paired(a, b, figure):
    return statistics.median(ratio(figure(x), figure(y)) for x, y in zip(layer_runs[a], layer_runs[b]))


if all(layer_runs[name] for _, name in layer):
    first = layer_runs["sample"][0]
    out.append(f"### The Milter layer: a filter on headers, body and end of message three ways, and the libmilter floor ({first['connections']} connections, "
               f"unix sockets, small messages, median of {len(layer_runs['sample'])} interleaved runs of {first['seconds']:.0f} s)")
    out.append("")
    layer_table(layer, layer_runs)
    swift_c, swift_py = paired("sample", "c", rate_of), paired("sample", "py", rate_of)
    out.append("")
    out.append(f"- Swift ÷ C messages/s: **{swift_c:.2f}×**; Swift ÷ pymilter: **{swift_py:.2f}×**; "
               f"C ÷ pymilter, the most a libmilter filter doing this work can show: {paired('c', 'py', rate_of):.2f}×")
    # milter-load shares the machine with the filter: the filter's own CPU per message is the
    # figure that does not depend on how much CPU the load generator leaves it.
    out.append(f"- by the filter's CPU per message: Swift ÷ C **{paired('sample', 'c', cost_of):.2f}×**, "
               f"Swift ÷ pymilter **{paired('sample', 'py', cost_of):.2f}×**, C ÷ pymilter {paired('c', 'py', cost_of):.2f}×")
    floor_py = paired("floor", "py", cost_of)
    out.append(f"- the floor: a libmilter filter that does nothing uses **1/{floor_py:.1f}** of pymilter's CPU per message "
               f"and runs {paired('floor', 'py', rate_of):.1f}× its messages/s; sample-milter's work (headers, body, "
               f"a header added) costs {paired('floor', 'sample', cost_of):.1f}× the floor, nearly all of it libmilter's "
               f"per-packet reads")
    out.append("")

if all(layer_runs[name] for _, name in eom):
    first = layer_runs["sample-eom"][0]
    out.append(f"### The Milter layer as issue #9 defines it: end of message only (X-Sample-Macro-i added), "
               f"{first['connections']} connections, median of {len(layer_runs['sample-eom'])} interleaved runs")
    out.append("")
    layer_table(eom, layer_runs)
    swift_c, swift_py = paired("sample-eom", "c-eom", rate_of), paired("sample-eom", "py-eom", rate_of)
    out.append("")
    out.append(f"- Swift ÷ C messages/s: **{swift_c:.2f}×** (target ≥ 0.9×: {check(swift_c >= 0.9)}); "
               f"Swift ÷ pymilter: **{swift_py:.2f}×** (target ≥ 5×: {check(swift_py >= 5)})")
    out.append(f"- by the filter's CPU per message: Swift ÷ C **{paired('sample-eom', 'c-eom', cost_of):.2f}×**, "
               f"Swift ÷ pymilter **{paired('sample-eom', 'py-eom', cost_of):.2f}×**")
    out.append("")

memory = load("memory")
if memory:
    idle = int((results / "memory-idle.txt").read_text())
    peak = memory["peakRSSBytes"]
    out.append(f"### Memory: {memory['connections']} connections each sending one {meta['memoryMB']} MB message")
    out.append("")
    out.append(f"- scanmilter RSS idle with its engine loaded: {mb(idle)}; peak during the run: {mb(peak)}; "
               f"growth {mb(peak - idle)} (target ≤ 256 MB above the engine: {check(peak - idle <= 256 << 20)}); "
               f"{memory['completed']} messages, {memory['errorCount']} errors, p99 {memory['latencyMilliseconds']['p99']:.0f} ms")
    sampled = results / "memory-sampled.json"
    if sampled.exists():
        at = json.loads(sampled.read_text())["atPeakRSS"]
        out.append(f"- at the peak (/proc/PID/status every 50 ms): RssAnon {mb(at.get('RssAnon', 0))} (heap), "
                   f"RssFile {mb(at.get('RssFile', 0))} (mapped files: message temp files, libraries), "
                   f"{at.get('Threads', 0)} threads")
    out.append("")

reload = load("reload-under-load")
if reload:
    out.append(f"### Large signature set ({meta.get('signatures', 'generated')}): reload under load")
    out.append("")
    out.append(f"- 3 reloads (`scanmilterctl reload`) during {reload['seconds']:.0f} s of load at {reload['connections']} connections: "
               f"{reload['completed']} messages, **{reload['errorCount']} errors**, {reload['verdicts'].get('tempfail', 0)} tempfails, "
               f"p99 {reload['latencyMilliseconds']['p99']:.0f} ms, peak RSS {mb(reload['peakRSSBytes'])} "
               f"(load time and memory of this set: `scan-bench engine` below)")
    out.append("")

postfix = results / "postfix.tsv"
if postfix.exists():
    out.append("### Through real Postfix over TCP (one SMTP session at a time, smtp-source, median of runs)")
    out.append("")
    out.append("| milter on inet:127.0.0.1 | messages/s | runs |")
    out.append("| --- | ---: | --- |")
    medians = {}
    for line in postfix.read_text().splitlines():
        name, *runs = line.split("\t")
        values = [float(v) for v in runs]
        medians[name] = statistics.median(values)
        out.append(f"| {name} | {medians[name]:.1f} | {', '.join(f'{v:.0f}' for v in values)} |")
    alone = medians.get("no milter (Postfix alone)")
    scan = medians.get("scanmilter (embedded), DATA negotiated")
    if alone and scan:
        out.append("")
        out.append(f"- scanmilter ÷ Postfix alone: **{ratio(scan, alone):.2f}**")
    out.append("")

scan_bench = results / "scan-bench.txt"
if scan_bench.exists():
    out.append("### Pipeline cost against a raw libclamav scan (`scan-bench engine`, same bytes)")
    out.append("")
    out.append("```")
    out.extend(line for line in scan_bench.read_text().splitlines() if line.strip())
    out.append("```")

pool = results / "pool.md"
if pool.exists():
    out.append("")
    out.append("### The clamd pool through Postfix (`scripts/bench/clamd-pool.sh`)")
    out.append("")
    out.extend(pool.read_text().splitlines())
quarantine = results / "quarantine.md"
if quarantine.exists() and quarantine.read_text().strip():
    out.append("")
    out.append("### The quarantine: tagging, the local store, PostgreSQL (`scripts/bench/quarantine.sh`)")
    out.append("")
    out.extend(quarantine.read_text().splitlines())

print("\n".join(out))
