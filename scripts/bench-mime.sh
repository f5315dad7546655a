#!/usr/bin/env bash
# MIME parser throughput beside GMime 3, on the same generated corpus in the same run.
#
# Builds mime-bench (release) and scripts/mime/gmime-bench.c (-O2), generates the benchmark
# corpus into a temporary directory (small text mails, mails with 1-10 MiB base64 attachments,
# deeply nested mails), then for each corpus kind runs both programs RUNS times (default 5),
# interleaved, each run a fresh process that parses every file and decodes every leaf.
# Prints a Markdown table: median MB/s of input, the ratio, and peak RSS (getrusage).
# Usage: scripts/bench-mime.sh            RUNS=9 scripts/bench-mime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}

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
    fields = dict(p.split("=") for p in pairs)
    rows.setdefault((kind, who), []).append(fields)

def summary(kind, who):
    runs = rows[(kind, who)]
    mbps = statistics.median(int(r["bytes"]) / float(r["seconds"]) / 1e6 for r in runs)
    rss = max(int(r["maxrss_kb"]) for r in runs) / 1024
    return mbps, rss, runs[0]

print("| corpus | input MB | leaves (ours / GMime) | scanmilter MB/s | GMime MB/s | ratio | scanmilter peak RSS | GMime peak RSS |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for kind in ("small", "large", "nested"):
    o_mbps, o_rss, o = summary(kind, "ours")
    g_mbps, g_rss, g = summary(kind, "gmime")
    print("| %s (%s files) | %.1f | %s / %s | %.0f | %.0f | %.2f× | %.1f MB | %.1f MB |" % (
        kind, o["files"], int(o["bytes"]) / 1e6, o["parts"], g["parts"], o_mbps, g_mbps,
        o_mbps / g_mbps, o_rss, g_rss))
print("\nMedian of %s runs each; ratio = scanmilter / GMime (above 1 is faster)." % sys.argv[2])
PY
