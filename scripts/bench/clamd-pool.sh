#!/usr/bin/env bash
# The clamd pool through real Postfix (issue #21): SESSIONS SMTP sessions (default 8), each
# sending the small message (a text part and a 15 KB base64 attachment, 21.6 KB) over a new
# connection per message, back to back, for SECONDS each run. scanmilter (clamd backend, default
# settings: max_concurrent_scans = 0, so the scan stage follows the pool's capacity) scans with:
#   - our clamd stand-in (scripts/bench/clamd_standin.py) answering each scan after DELAY
#     seconds (default 0.5: a remote, busy clamd): one server and two with clamd's default
#     MaxThreads 10, and one with no thread limit (configured as max_threads=24);
#   - real clamd (one server, MaxThreads 10) on a generated database, for reference;
#   - Postfix alone (no milter), the ceiling.
# Optionally BEFORE_BIN=/path/to/an/older/scanmilter adds the MaxThreads 10 rows for it. The
# message makes three scans (its quoted-printable text part, its attachment, the skeleton).
# Prints a markdown table (messages/s, p50, p90, failed) with the machine and the command.
#
# usage (as root: a private Postfix runs from a temp dir):
#   scripts/bench/clamd-pool.sh                     SCANMILTER_BIN defaults to a release build
#   SECONDS_PER_RUN=20 DELAY=0.5 SESSIONS=8 RUNS=1 scripts/bench/clamd-pool.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh
[ "$(id -u)" -eq 0 ] || { echo "clamd-pool bench: run as root (a private Postfix runs from a temp dir)" >&2; exit 1; }
DELAY=${DELAY:-0.5}
SESSIONS=${SESSIONS:-8}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
RUNS=${RUNS:-1}
log() { echo "clamd-pool bench: $*" >&2; }
if [ -z "${SCANMILTER_BIN:-}" ]; then
  swift build -c release --product scanmilter 2>&1 | grep -E 'error|warning: ' || true
  SCANMILTER_BIN=$(swift build -c release --show-bin-path)/scanmilter
fi
[ -x "$SCANMILTER_BIN" ] || { log "no scanmilter at $SCANMILTER_BIN"; exit 1; }

work=$(mktemp -d /tmp/scanmilter-pool-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{db,tmp,results}
running=()
cleanup() {
  local pid
  for pid in "${running[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${running[@]}"; do wait "$pid" 2>/dev/null || true; done
  pf_teardown
  if [ -z "${KEEP_BENCH:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
started=""
start() {  # start NAME READY_REGEX COMMAND...
  local name=$1 ready=$2; shift 2
  "$@" > "$work/$name.log" 2>&1 &
  started=$!
  running+=("$started")
  for _ in $(seq 1 600); do
    grep -qE "$ready" "$work/$name.log" "$work/$name.file.log" 2>/dev/null && return 0
    kill -0 "$started" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not start:"; tail -20 "$work/$name.log" "$work/$name.file.log" 2>/dev/null >&2; exit 1
}
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# The small message: a text part and a 15 KB attachment in base64 (21.6 KB in all).
python3 scripts/bench/small_message.py "$work/small.eml"
log "message: $(stat -c %s "$work/small.eml") bytes"

smtp_port=$(free_port); sink_port=$(free_port); milter_port=$(free_port)
pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" >&2

run_load() {  # run_load LABEL: RUNS load runs against Postfix; one JSON line per run in results.tsv
  local label=$1 i
  for i in $(seq 1 "$RUNS"); do
    local json
    json=$(python3 scripts/bench/smtp_load.py --port "$smtp_port" --message "$work/small.eml" \
      --sessions "$SESSIONS" --seconds "$SECONDS_PER_RUN")
    printf '%s\t%s\n' "$label" "$json" >> "$work/results/results.tsv"
    log "  $label: $json"
  done
}
scanmilter_config() {  # scanmilter_config FILE SERVER...
  local servers="" s
  for s in "${@:2}"; do servers+="${servers:+, }\"$s\""; done
  cat > "$1" <<CONF
[milter]
socket = "inet:$milter_port@127.0.0.1"
control_socket = ""
[scan]
backend = "clamd"
clamd_servers = [$servers]
temp_dir = "$work/tmp"
[quarantine]
dir = "$work/quarantine"
[log]
target = "$(dirname "$1")/$(basename "$1" .toml).file.log"
level = "notice"
CONF
}
with_scanmilter() {  # with_scanmilter LABEL BIN SERVER...: starts scanmilter on the servers and runs the load
  local label=$1 bin=$2 name="scanmilter-$RANDOM"; shift 2
  scanmilter_config "$work/$name.toml" "$@"
  start "$name" 'ready' "$bin" --config "$work/$name.toml"; local pid=$started
  run_load "$label"
  stop "$pid"
}

postconf -c "$work/postfix/etc" -e 'smtpd_milters ='; postfix -c "$work/postfix/etc" reload >/dev/null 2>&1; sleep 1
run_load "Postfix alone (no milter)"
postconf -c "$work/postfix/etc" -e "smtpd_milters = inet:127.0.0.1:$milter_port"; postfix -c "$work/postfix/etc" reload >/dev/null 2>&1; sleep 1

# Stand-ins: two with clamd's default MaxThreads 10 (scanmilter's default max_threads), and one
# with no limit, which scanmilter is told can take 24 scans at once (the issue's stand-in).
standin() {  # standin THREADS: starts a stand-in; its port is left in $port
  port=$(free_port)
  start "standin-$1-$port" 'listening on' python3 scripts/bench/clamd_standin.py --port "$port" --delay "$DELAY" --threads "$1"
  standins+=("$started")
}
standins=()
standin 10; first=$port
standin 10; second=$port
standin 0; unlimited=$port
with_scanmilter "stand-in ${DELAY}s, MaxThreads 10, 1 server" "$SCANMILTER_BIN" "127.0.0.1:$first"
with_scanmilter "stand-in ${DELAY}s, MaxThreads 10, 2 servers" "$SCANMILTER_BIN" "127.0.0.1:$first" "127.0.0.1:$second"
with_scanmilter "stand-in ${DELAY}s, no thread limit (max_threads=24), 1 server" "$SCANMILTER_BIN" "127.0.0.1:$unlimited max_threads=24"
if [ -n "${BEFORE_BIN:-}" ]; then
  with_scanmilter "before ($BEFORE_BIN): stand-in ${DELAY}s, MaxThreads 10, 1 server" "$BEFORE_BIN" "127.0.0.1:$first"
  with_scanmilter "before ($BEFORE_BIN): stand-in ${DELAY}s, MaxThreads 10, 2 servers" "$BEFORE_BIN" "127.0.0.1:$first" "127.0.0.1:$second"
fi
for pid in "${standins[@]}"; do stop "$pid"; done

# Real clamd, one server with its default MaxThreads, on a generated database.
python3 scripts/bench/make_database.py "$work/db" 200000 10000 >&2
clamd_port=$(free_port)
cat > "$work/clamd.conf" <<CONF
TCPSocket $clamd_port
TCPAddr 127.0.0.1
DatabaseDirectory $work/db
TemporaryDirectory $work/tmp
Foreground yes
LogFile $work/clamd.file.log
MaxThreads 10
DisableCache yes
$( [ "$(id -u)" = 0 ] && echo "User root")
CONF
start clamd 'Listening daemon|Self checking every' clamd --config-file="$work/clamd.conf"; clamd_pid=$started
with_scanmilter "real clamd (MaxThreads 10, 200k hash + 10k body signatures), 1 server" "$SCANMILTER_BIN" "127.0.0.1:$clamd_port"
stop "$clamd_pid"

python3 - "$work/results/results.tsv" "$SESSIONS" "$DELAY" "$SECONDS_PER_RUN" "$RUNS" <<'PY'
import json, os, platform, statistics, subprocess, sys
path, sessions, delay, seconds, runs = sys.argv[1:]
rows = {}
for line in open(path):
    label, data = line.rstrip("\n").split("\t", 1)
    rows.setdefault(label, []).append(json.loads(data))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
print(f"Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}, "
      f"load average {os.getloadavg()[0]:.1f} at the end")
print(f"Command: SESSIONS={sessions} DELAY={delay} SECONDS_PER_RUN={seconds} RUNS={runs} scripts/bench/clamd-pool.sh "
      f"(the 21.6 KB message, one SMTP connection per message; medians over runs)\n")
print("| scanner | messages/s | p50 (s) | p90 (s) | failed |")
print("| --- | ---: | ---: | ---: | ---: |")
for label, results in rows.items():
    med = lambda key: statistics.median(r[key] for r in results if r[key] is not None) if any(r[key] is not None for r in results) else float("nan")
    print(f"| {label} | {med('messagesPerSecond'):.1f} | {med('p50'):.3f} | {med('p90'):.3f} | {sum(r['failures'] for r in results)} |")
PY
