#!/usr/bin/env bash
# MIME parser throughput beside GMime 3, on the same generated corpus in the same run.
#
# Builds mime-bench (release) and scripts/mime/gmime-bench.c (-O2), generates the benchmark
# corpus into a temporary directory (small text mails, mails with 1-10 MiB base64 attachments,
# deeply nested mails), then for each corpus kind runs both programs RUNS times (default 7),
# interleaved, each run a fresh process that parses every file and decodes every leaf.
# Prints a Markdown table: median MB/s of input per CPU second (user + system: on a shared,
# busy machine wall time mostly measures the neighbours) and per wall second, the ratio, and
# peak RSS (getrusage). The leaf and decoded-byte counts show both did the same work.
# Usage: scripts/bench-mime.sh            RUNS=11 scripts/bench-mime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-7}

if ! pkg-config --exists gmime-3.0; then
  echo "bench-mime: GMime 3 is missing; run scripts/install-deps.sh" >&2
  exit 69
fi

echo "bench-mime: building mime-bench (release) and gmime-bench" >&2
swift build -c release --product mime-bench >/dev/null
ours="$(swift build -c release --show-bin-path)/mime-bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046  # pkg-config prints several flags
cc -O2 scripts/mime/gmime-bench.c $(pkg-config --cflags --libs gmime-3.0) -o "$work/gmime-bench"

python3 scripts/mime/generate_bench_corpus.py "$work/corpus" >&2

results="$work/results"
for kind in small large nested; do
  dir="$work/corpus/$kind"
  # One untimed pass each so both start from a warm page cache.
  "$ours" parse --corpus "$dir" >/dev/null
  "$work/gmime-bench" "$dir" >/dev/null
  for _ in $(seq "$runs"); do
    echo "$kind ours $("$ours" parse --corpus "$dir")" >>"$results"
    echo "$kind gmime $("$work/gmime-bench" "$dir")" >>"$results"
  done
done

python3 - "$results" "$runs" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kind, who, *pairs = line.split()
    rows.setdefault((kind, who), []).append(dict(p.split("=") for p in pairs))

def rate(runs, clock):
    return statistics.median(int(r["bytes"]) / max(float(r[clock]), 1e-9) / 1e6 for r in runs)

print("| corpus | input MB | leaves | decoded MB (ours / GMime) | scanmilter MB/s | GMime MB/s | ratio | wall-clock MB/s (ours / GMime) | peak RSS (ours / GMime) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for kind in ("small", "large", "nested"):
    o, g = rows[(kind, "ours")], rows[(kind, "gmime")]
    o_cpu, g_cpu = rate(o, "cpu_seconds"), rate(g, "cpu_seconds")
    o_rss = max(int(r["maxrss_kb"]) for r in o) / 1024
    g_rss = max(int(r["maxrss_kb"]) for r in g) / 1024
    leaves = o[0]["parts"] if o[0]["parts"] == g[0]["parts"] else "%s / %s" % (o[0]["parts"], g[0]["parts"])
    print("| %s (%s files) | %.1f | %s | %.1f / %.1f | %.0f | %.0f | %.2f× | %.0f / %.0f | %.1f / %.1f MB |" % (
        kind, o[0]["files"], int(o[0]["bytes"]) / 1e6, leaves, int(o[0]["decoded"]) / 1e6,
        int(g[0]["decoded"]) / 1e6, o_cpu, g_cpu, o_cpu / g_cpu, rate(o, "seconds"), rate(g, "seconds"),
        o_rss, g_rss))
print()
print("MB/s = input bytes per CPU second (user + system), median of %s runs each; ratio = "
      "scanmilter / GMime, above 1 means faster." % sys.argv[2])
PY
