#!/usr/bin/env bash
# Scan workers against the in-process engine, in one run on one machine (issue: isolated
# scanning workers): messages/s and latency at CONNECTIONS milter connections (milter-load, the
# protocol Postfix speaks), CPU per message and PSS of the whole process tree (milter + zygote +
# workers) with a large generated signature set, and messages lost during reloads under load.
# Rounds alternate isolated and in-process so drift on a shared machine hits both alike; the
# table gives medians and ratios.
#
# usage (as root): scripts/bench/isolation.sh [BIN_DIR]
#   HASHES (default 3000000) and BODIES (default 100000) size the signature set; ROUNDS
#   (default 3), DURATION (seconds per load run, default 15), CONNECTIONS (default 8).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-$(swift build -c release --show-bin-path)}
for b in scanmilter scanmilterctl milter-load; do
  [ -x "$bin/$b" ] || { echo "bench: $bin/$b is not built (swift build -c release)" >&2; exit 1; }
done
HASHES=${HASHES:-3000000}; BODIES=${BODIES:-100000}; ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-15}; CONNECTIONS=${CONNECTIONS:-8}

work=$(mktemp -d /tmp/scanmilter-isolation-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{db,tmp,quarantine,results}
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  if [ -z "${KEEP_BENCH:-}" ]; then rm -rf "$work"; else echo "bench: kept $work" >&2; fi
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

python3 scripts/bench/make_corpus.py "$work/corpus" --scale quick >&2
mkdir -p "$work/small" && cp "$work"/corpus/small-*.eml "$work/small/"
python3 scripts/bench/make_database.py "$work/db" "$HASHES" "$BODIES" >&2

config() {  # config ISOLATION
  cat > "$work/$1.toml" <<CONF
[milter]
socket = "unix:$work/$1.sock"
control_socket = "$work/control-$1.sock"
[scan]
database_dir = "$work/db"
disable_cache = true
max_message_size = "100MB"
temp_dir = "$work/tmp"
isolation = "$1"
max_concurrent_scans = $CONNECTIONS
[quarantine]
dir = "$work/quarantine"
[log]
target = "$work/$1.file.log"
level = "notice"
CONF
}
start() {  # start ISOLATION → $pid
  config "$1"
  : > "$work/$1.file.log"   # each round waits for its own "ready"
  "$bin/scanmilter" --config "$work/$1.toml" > "$work/$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q 'scanmilter ready' "$work/$1.file.log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "scanmilter ($1) did not start"; tail "$work/$1.log" "$work/$1.file.log" >&2; exit 1
}
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

for round in $(seq 1 "$ROUNDS"); do
  for mode in workers none; do
    log "round $round: $mode"
    start "$mode"
    sleep 2
    python3 scripts/bench/tree_usage.py "$pid" > "$work/results/idle-$mode-$round.json"
    before=$(python3 scripts/bench/tree_usage.py "$pid")
    "$bin/milter-load" --socket "unix:$work/$mode.sock" --corpus "$work/corpus" --connections "$CONNECTIONS" \
      --duration "$DURATION" --json > "$work/results/load-$mode-$round.json" || true
    after=$(python3 scripts/bench/tree_usage.py "$pid")
    python3 - "$before" "$after" "$work/results/load-$mode-$round.json" > "$work/results/cpu-$mode-$round.json" <<'PY'
import json, sys
before, after, load = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
print(json.dumps({"cpuSeconds": after["cpuSeconds"] - before["cpuSeconds"], "messages": load["completed"], "busyPss": after["pssBytes"]}))
PY
    # Reloads under load: every message must still be answered.
    ( for _ in 1 2; do sleep 3; "$bin/scanmilterctl" reload -c "$work/$mode.toml" > /dev/null 2>&1 || true; done ) &
    reloader=$!
    "$bin/milter-load" --socket "unix:$work/$mode.sock" --corpus "$work/small" --connections "$CONNECTIONS" \
      --duration 10 --json > "$work/results/reload-$mode-$round.json" || true
    wait "$reloader" || true
    stop
  done
done

python3 - "$work/results" "$ROUNDS" "$HASHES" "$BODIES" "$CONNECTIONS" <<'PY'
import json, statistics, sys, os, subprocess
results, rounds = sys.argv[1], int(sys.argv[2])
def med(values): return statistics.median(values)
rows = {}
for mode in ("workers", "none"):
    load = [json.load(open(f"{results}/load-{mode}-{r}.json")) for r in range(1, rounds + 1)]
    cpu = [json.load(open(f"{results}/cpu-{mode}-{r}.json")) for r in range(1, rounds + 1)]
    idle = [json.load(open(f"{results}/idle-{mode}-{r}.json")) for r in range(1, rounds + 1)]
    reload = [json.load(open(f"{results}/reload-{mode}-{r}.json")) for r in range(1, rounds + 1)]
    rows[mode] = {
        "rate": med([l["messagesPerSecond"] for l in load]),
        "p50": med([l["latencyMilliseconds"]["p50"] for l in load]),
        "p99": med([l["latencyMilliseconds"]["p99"] for l in load]),
        "cpu": med([c["cpuSeconds"] * 1000 / max(1, c["messages"]) for c in cpu]),
        "idle_pss": med([i["pssBytes"] for i in idle]) / 2**20,
        "busy_pss": med([c["busyPss"] for c in cpu]) / 2**20,
        "procs": med([i["processes"] for i in idle]),
        "reload_failed": sum(r["errorCount"] + r.get("verdicts", {}).get("tempfail", 0) for r in reload),
        "reload_messages": sum(r["completed"] for r in reload),
    }
w, n = rows["workers"], rows["none"]
machine = f"{os.cpu_count()} cores, {subprocess.run(['uname','-sr'],capture_output=True,text=True).stdout.strip()}"
print(f"\nScan workers against the in-process engine: {sys.argv[3]} hash + {sys.argv[4]} body signatures, "
      f"{sys.argv[5]} milter connections, medians of {rounds} alternating rounds ({machine}).\n")
print("| | isolation = \"workers\" | isolation = \"none\" | ratio |")
print("|---|---|---|---|")
print(f"| messages/s | {w['rate']:.1f} | {n['rate']:.1f} | {w['rate']/n['rate']:.2f}x |")
print(f"| latency p50 / p99 ms | {w['p50']:.1f} / {w['p99']:.1f} | {n['p50']:.1f} / {n['p99']:.1f} | |")
print(f"| CPU per message (all processes) ms | {w['cpu']:.2f} | {n['cpu']:.2f} | {w['cpu']/n['cpu']:.2f}x |")
print(f"| PSS idle, whole tree MiB ({w['procs']:.0f} vs {n['procs']:.0f} processes) | {w['idle_pss']:.0f} | {n['idle_pss']:.0f} | {w['idle_pss']/n['idle_pss']:.2f}x |")
print(f"| PSS after load MiB | {w['busy_pss']:.0f} | {n['busy_pss']:.0f} | {w['busy_pss']/n['busy_pss']:.2f}x |")
print(f"| messages failed during 2 reloads under load | {w['reload_failed']} of {w['reload_messages']} | {n['reload_failed']} of {n['reload_messages']} | |")
PY
