#!/usr/bin/env bash
# An official-size signature set (issue #21): SIGNATURES (default 8,000,000) generated in the
# official mix by scripts/bench/make_database.py --official into a temporary directory, and
# measured in one run beside clamd and clamscan on the same set:
#   - load and compile time, idle RSS: clamscan (one file), clamd (until it answers PING),
#     scanmilter's embedded engine (until it says ready);
#   - scanmilter under load (milter-load, CONNECTIONS connections, the bench corpus's small
#     messages) while `scanmilterctl reload` reloads the set, for reload_mode "concurrent" and
#     "in_place": steady RSS before the reload, peak RSS during it, their ratio, latency p50/p99
#     and failed messages (errors and temp-fails).
# Takes several GB of memory and minutes per load at the full size; SIGNATURES=2000000 measures
# a quarter (the table says which). Not run in CI.
#
# usage (as root): scripts/bench/official-size.sh
#   SIGNATURES=8000000 CONNECTIONS=8 SCANMILTER_BIN=... scripts/bench/official-size.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "official-size bench: run as root (clamd runs from a temp dir)" >&2; exit 1; }
SIGNATURES=${SIGNATURES:-8000000}
CONNECTIONS=${CONNECTIONS:-8}
log() { echo "official-size bench: $*" >&2; }
if [ -z "${SCANMILTER_BIN:-}" ]; then
  for product in scanmilter scanmilterctl milter-load; do
    swift build -c release --product "$product" 2>&1 | grep -E 'error|warning: ' || true
  done
  SCANMILTER_BIN=$(swift build -c release --show-bin-path)/scanmilter
fi
bindir=$(dirname "$SCANMILTER_BIN")
for tool in "$SCANMILTER_BIN" "$bindir/scanmilterctl" "$bindir/milter-load"; do
  [ -x "$tool" ] || { log "missing $tool"; exit 1; }
done

work=$(mktemp -d /tmp/scanmilter-official-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{db,tmp,quarantine,results}
running=()
cleanup() {
  local pid
  for pid in "${running[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${running[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -z "${KEEP_BENCH:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT
rows=$work/results/rows.tsv
row() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >> "$rows"; log "$*"; }
now() { date +%s.%N; }
since() { python3 -c "print(round($(now) - $1, 1))"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

log "generating $SIGNATURES signatures"
t0=$(now)
python3 scripts/bench/make_database.py "$work/db" --official "$SIGNATURES" >&2
row generate "$(since "$t0") s" "$(du -sh "$work/db" | cut -f1)"
python3 scripts/bench/make_corpus.py "$work/corpus-all" --scale quick >&2
mkdir -p "$work/corpus" && cp "$work"/corpus-all/small-*.eml "$work/corpus/"

# clamscan: load, compile, scan one small message; wall time and peak RSS.
/usr/bin/time -f '%e %M' -o "$work/clamscan.time" clamscan --no-summary -d "$work/db" "$work/corpus"/small-0000.eml >&2 || true
read -r wall kb < "$work/clamscan.time"
row "clamscan load+compile+scan" "$wall s" "$((kb / 1024)) MB peak"

# clamd: until it answers PING; then its RSS; then its own reload, both modes (RSS peak).
clamd_start() {  # clamd_start CONCURRENT(yes|no)
  cat > "$work/clamd.conf" <<CONF
LocalSocket $work/clamd.sock
DatabaseDirectory $work/db
TemporaryDirectory $work/tmp
Foreground yes
LogFile $work/clamd.file.log
ConcurrentDatabaseReload $1
SelfCheck 0
$( [ "$(id -u)" = 0 ] && echo "User root")
CONF
  rm -f "$work/clamd.sock"
  t0=$(now)
  clamd --config-file="$work/clamd.conf" > "$work/clamd.log" 2>&1 &
  clamd_pid=$!; running+=("$clamd_pid")
  until python3 - "$work/clamd.sock" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
PY
  do kill -0 "$clamd_pid" 2>/dev/null || { log "clamd died"; tail "$work/clamd.file.log" >&2; exit 1; }; sleep 0.2; done
  clamd_load=$(since "$t0")
}
clamd_reload_peak() {  # RELOAD, then sample RSS until PING answers with the reload done (log line)
  local before peak t0 rss
  before=$(rss_mb "$clamd_pid"); peak=$before; t0=$(now)
  python3 -c "
import socket; s = socket.socket(socket.AF_UNIX); s.connect('$work/clamd.sock'); s.sendall(b'zRELOAD\0'); print(s.recv(64))" >&2
  local lines; lines=$(grep -c 'Database correctly reloaded' "$work/clamd.file.log" || true)
  while [ "$(grep -c 'Database correctly reloaded' "$work/clamd.file.log" || true)" = "$lines" ]; do
    rss=$(rss_mb "$clamd_pid"); [ "$rss" -gt "$peak" ] && peak=$rss; sleep 0.1
  done
  echo "$before $peak $(since "$t0")"
}
for mode in yes no; do
  clamd_start "$mode"
  sleep 2
  idle=$(rss_mb "$clamd_pid")
  [ "$mode" = yes ] && row "clamd load+compile (until PING)" "$clamd_load s" "$idle MB idle"
  read -r before peak took < <(clamd_reload_peak)
  row "clamd reload, ConcurrentDatabaseReload $mode (no load)" "$took s" "$before MB before, $peak MB peak ($(python3 -c "print(round($peak / $before, 2))")x)"
  kill "$clamd_pid"; wait "$clamd_pid" 2>/dev/null || true
done

# scanmilter, embedded engine: load until ready, idle RSS; then reloads under load.
for mode in concurrent in_place; do
  cat > "$work/$mode.toml" <<CONF
[milter]
socket = "unix:$work/$mode.sock"
control_socket = "$work/$mode-control.sock"
[scan]
backend = "clamav"
database_dir = "$work/db"
reload_mode = "$mode"
reload_check_interval = "0s"
temp_dir = "$work/tmp"
[quarantine]
dir = "$work/quarantine"
[log]
target = "$work/$mode.file.log"
level = "notice"
CONF
  t0=$(now)
  "$SCANMILTER_BIN" --config "$work/$mode.toml" > "$work/$mode.log" 2>&1 &
  pid=$!; running+=("$pid")
  until grep -q ready "$work/$mode.log" "$work/$mode.file.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { log "scanmilter died"; tail "$work/$mode.log" >&2; exit 1; }; sleep 0.2
  done
  load=$(since "$t0")
  sleep 2
  idle=$(rss_mb "$pid")
  [ "$mode" = concurrent ] && row "scanmilter embedded load+compile (until ready)" "$load s" "$idle MB idle"
  # Steady state first: the same load without a reload.
  "$bindir/milter-load" --socket "unix:$work/$mode.sock" --corpus "$work/corpus" --connections "$CONNECTIONS" \
    --duration 15 --timeout 300 --json > "$work/results/steady-$mode.json" || true
  # Load runs long enough for a reload to start after 10 s and finish well before the end.
  duration=$(python3 -c "print(int(20 + 2.5 * $load))")
  python3 scripts/bench/rss_sampler.py "$pid" "$work/results/rss-$mode.json" 0.1 & sampler=$!; running+=("$sampler")
  "$bindir/milter-load" --socket "unix:$work/$mode.sock" --corpus "$work/corpus" --connections "$CONNECTIONS" \
    --duration "$duration" --timeout 300 --json > "$work/results/load-$mode.json" &
  loader=$!
  sleep 8
  steady=$(rss_mb "$pid")
  sleep 2
  t0=$(now)
  "$bindir/scanmilterctl" reload --config "$work/$mode.toml" >&2 || log "reload failed"
  took=$(since "$t0")
  wait "$loader" || true
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  python3 - "$work/results/load-$mode.json" "$work/results/rss-$mode.json" "$steady" "$mode" "$took" "$work/results/steady-$mode.json" >> "$rows" <<'PY'
import json, sys
load, rss = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
calm = json.load(open(sys.argv[6]))
steady, mode, took = float(sys.argv[3]), sys.argv[4], sys.argv[5]
peak_mb = rss["highest"]["VmRSS"] / 2**20  # rss_sampler reports bytes
failed = load["errorCount"] + sum(n for v, n in load["verdicts"].items() if v.lower().startswith(("tempfail", "failure")))
lat = load["latencyMilliseconds"]
print("\t".join([f"scanmilter reload under load, {mode}", f"{took} s",
                 f"{steady:.0f} MB steady, {peak_mb:.0f} MB peak ({peak_mb / steady:.2f}x)",
                 f"{load['completed']} messages, {load['messagesPerSecond']:.1f}/s, p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms, max {lat['max']:.0f} ms, failed {failed}",
                 f"without a reload: {calm['messagesPerSecond']:.1f}/s, p50 {calm['latencyMilliseconds']['p50']:.0f} ms, "
                 f"p99 {calm['latencyMilliseconds']['p99']:.0f} ms"]))
PY
  tail -1 "$rows" >&2
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
done

python3 - "$rows" "$SIGNATURES" "$CONNECTIONS" <<'PY'
import os, platform, sys
rows, signatures, connections = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
print(f"Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}, "
      f"load average {os.getloadavg()[0]:.1f} at the end")
print(f"Command: SIGNATURES={signatures} CONNECTIONS={connections} scripts/bench/official-size.sh"
      f" ({signatures / 8e6:.0%} of the official set's 8 M)\n")
print("| what | time | memory | under load (reload during the run) | the same load, no reload |")
print("| --- | --- | --- | --- | --- |")
for line in open(rows):
    cells = line.rstrip("\n").split("\t") + ["", "", "", ""]
    print("| " + " | ".join(cells[:5]) + " |")
PY
