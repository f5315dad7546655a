#!/usr/bin/env bash
# The Milter layer alone (issue #9; part 2 of scripts/bench.sh): the same small filter three ways
# -- sample-milter (Swift Milter over libmilter), a minimal C libmilter filter (cfilter.c) and a
# pymilter filter (pyfilter.py) -- and the floor under all of them: cfilter's "floor" mode, the
# least any libmilter filter can do (end of message only, nothing added); then the three again
# with the end-of-message callback only, as issue #9 defines the comparison (sample-milter
# --end-of-message-only, cfilter eom, pyfilter.py eom). Each is driven by
# milter-load over a unix socket, small messages, RUNS rounds with the contenders interleaved so
# that other load on the machine falls on all of them alike; report.py takes the medians.
#
# usage: scripts/bench/layer.sh             standalone: temp dir, corpus, builds, prints the table
#        scripts/bench/layer.sh WORK        from bench.sh: WORK holds small-corpus/, cfilter and
#                                           results/ (layer-NAME-ROUND.json are written there)
# Knobs: CONNECTIONS (default 8), DURATION (seconds per run, default 6), RUNS (default 3),
#        PER_CONNECTION (messages per milter connection, default 20), KEEP_BENCH=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-6}
RUNS=${RUNS:-3}
PER_CONNECTION=${PER_CONNECTION:-20}
log() { echo "layer: $*" >&2; }

standalone=0
if [ $# -ge 1 ]; then
  work=$1
else
  standalone=1
  for product in milter-load sample-milter; do
    swift build -c release --product "$product" 2>&1 | grep -E 'error|warning: ' || true
  done
  work=$(mktemp -d /tmp/scanmilter-layer.XXXXXX)
  mkdir -p "$work/results"
  python3 scripts/bench/make_corpus.py "$work/corpus" --scale quick >&2
  mkdir -p "$work/small-corpus" && cp "$work"/corpus/small-*.eml "$work/small-corpus/"
  gcc -O2 -o "$work/cfilter" scripts/bench/cfilter.c -lmilter -lpthread
  cat > "$work/results/meta.json" <<JSON
{"machine": "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr), load average $(cut -d' ' -f1 /proc/loadavg) at start",
 "command": "scripts/bench/layer.sh (CONNECTIONS=$CONNECTIONS, DURATION=$DURATION, RUNS=$RUNS)",
 "date": "$(date -u +%Y-%m-%dT%H:%MZ)"}
JSON
fi
bin=$(swift build -c release --show-bin-path)
results=$work/results

filter_pid=""
cleanup() {
  if [ -n "$filter_pid" ]; then kill "$filter_pid" 2>/dev/null || true; wait "$filter_pid" 2>/dev/null || true; fi
  if [ "$standalone" = 1 ]; then
    if [ -z "${KEEP_BENCH:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
  fi
}
trap cleanup EXIT

# run NAME ROUND COMMAND... (@SOCKET@ in COMMAND is replaced by the socket): starts the filter, loads it,
# stops it.
run() {
  local name=$1 round=$2; shift 2
  local socket="unix:$work/layer-$name.sock"
  rm -f "$work/layer-$name.sock"
  "${@//@SOCKET@/$socket}" > "$work/layer-$name.log" 2>&1 &
  filter_pid=$!
  for _ in $(seq 1 300); do
    grep -q 'listening on' "$work/layer-$name.log" 2>/dev/null && break
    kill -0 "$filter_pid" 2>/dev/null || { log "$name did not start:"; cat "$work/layer-$name.log" >&2; exit 1; }
    sleep 0.1
  done
  "$bin/milter-load" --socket "$socket" --corpus "$work/small-corpus" --connections "$CONNECTIONS" \
    --duration "$DURATION" --messages-per-connection "$PER_CONNECTION" --pid "$filter_pid" --json \
    > "$results/layer-$name-$round.json" || true
  kill -TERM "$filter_pid" 2>/dev/null || true
  wait "$filter_pid" 2>/dev/null || true
  filter_pid=""
  python3 - "$results/layer-$name-$round.json" "$name" "$round" >&2 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("layer:   {} (round {}): {:.0f} msg/s, filter {:.4f} ms CPU/message, milter-load {:.4f}, errors {}".format(
    sys.argv[2], sys.argv[3], r["messagesPerSecond"], 1000 * r["cpuSeconds"] / max(r["completed"], 1),
    1000 * r["generatorCPUSeconds"] / max(r["completed"], 1), r["errorCount"]))
PY
}

log "sample-milter, C libmilter, pymilter, the libmilter floor, and the three end-of-message-only: $CONNECTIONS connections, $RUNS rounds of $DURATION s"
for round in $(seq 1 "$RUNS"); do
  run sample "$round" "$bin/sample-milter" --socket @SOCKET@ --log-level warning
  run c "$round" "$work/cfilter" @SOCKET@
  run py "$round" /usr/bin/python3 scripts/bench/pyfilter.py @SOCKET@
  run floor "$round" "$work/cfilter" @SOCKET@ floor
  # Issue #9's definition: the same three with the end-of-message callback only.
  run sample-eom "$round" "$bin/sample-milter" --socket @SOCKET@ --log-level warning --end-of-message-only
  run c-eom "$round" "$work/cfilter" @SOCKET@ eom
  run py-eom "$round" /usr/bin/python3 scripts/bench/pyfilter.py @SOCKET@ eom
done

if [ "$standalone" = 1 ]; then
  python3 scripts/bench/report.py "$results"
fi
