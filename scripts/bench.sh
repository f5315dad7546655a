#!/usr/bin/env bash
# The performance comparisons of issue #9, all in one run on one machine, with one corpus, one
# generated signature database and one concurrency:
#   1. scanmilter (embedded libclamav) and scanmilter (clamd backend) against Debian's
#      clamav-milter with clamd, driven by milter-load over unix sockets;
#   2. the Milter layer: sample-milter against the same filter in C (libmilter) and pymilter,
#      and the floor of any libmilter filter (scripts/bench/layer.sh, also runnable alone);
#   3. memory: many connections each sending one large message, against scanmilter's idle RSS;
#   4. through real Postfix over TCP, one SMTP session at a time (smtp-source): Postfix alone,
#      libmilter filters with and without the DATA-step fix, and scanmilter;
#   5. the pipeline's cost against a raw libclamav scan of the same bytes (scan-bench engine);
#   6. the clamd pool through real Postfix with a clamd stand-in whose delay per scan is a
#      parameter, beside real clamd (scripts/bench/clamd-pool.sh, also runnable alone).
#   7. the quarantine: every message infected and tagged, quarantined locally, or quarantined
#      into PostgreSQL on loopback, 20 KB and 5 MB (scripts/bench/quarantine.sh, also runnable alone).
# Prints a markdown table of figures and ratios and writes it to bench-results/ (gitignored).
#
# usage (as root: it runs clamd, clamav-milter and a private Postfix from a temp dir):
#   scripts/bench.sh            the full run (about 10-15 minutes on 2 cores)
#   QUICK=1 scripts/bench.sh    a few minutes: smaller corpus, shorter runs
#   LARGE=1 scripts/bench.sh    also 1M hash + 50k body signatures: load time, memory, and
#                               reload under load (no message may fail)
#   ONLY=memory scripts/bench.sh  only the parts named (comma list of clamav-milter, layer,
#                               memory, postfix, scan-bench, pool, quarantine, large, isolation), e.g. to profile one of them
#   ONLY=isolation              scan workers against the in-process engine with 3M hash + 100k
#                               body signatures (scripts/bench/isolation.sh; its own table)
# Other knobs: CONNECTIONS (default 8), DURATION (seconds per load run), KEEP_BENCH=1 keeps the
# temp dir. Benchmarks are figures beside references, never pass/fail tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/lib/postfix-instance.sh

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (clamd, clamav-milter and Postfix run from a temp dir)" >&2; exit 1; }
QUICK=${QUICK:-0}
LARGE=${LARGE:-0}
CONNECTIONS=${CONNECTIONS:-8}
if [ "$QUICK" = 1 ]; then
  DURATION=${DURATION:-8}; scale=quick; hashes=20000; bodies=2000; smtp_messages=40; smtp_runs=3
  memory_connections=100; memory_mb=20; scan_bench_args=(--megabytes 8 --runs 3)
else
  DURATION=${DURATION:-25}; scale=full; hashes=200000; bodies=10000; smtp_messages=150; smtp_runs=3
  memory_connections=100; memory_mb=20; scan_bench_args=(--megabytes 32 --runs 5)
fi
[ "$LARGE" = 1 ] && { hashes=1000000; bodies=50000; }
ONLY=${ONLY:-}
for name in ${ONLY//,/ }; do
  case "$name" in
    clamav-milter|layer|memory|postfix|scan-bench|pool|quarantine|large|isolation) ;;
    *) echo "bench: ONLY: unknown part '$name' (clamav-milter, layer, memory, postfix, scan-bench, pool, quarantine, large, isolation)" >&2; exit 2 ;;
  esac
done
# part NAME: whether this run includes part NAME (every part when ONLY is unset; "large" only
# with LARGE=1).
part() {
  [ "$1" != large ] || [ "$LARGE" = 1 ] || return 1
  [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]
}

log() { echo "bench: $*" >&2; }

scripts/install-deps.sh >/dev/null
scripts/bench/install-bench-deps.sh >/dev/null
for product in scanmilter scanmilterctl milter-load sample-milter scan-bench; do
  swift build -c release --product "$product" 2>&1 | grep -E 'error|warning: ' || true
done
bin=$(swift build -c release --show-bin-path)
for b in scanmilter scanmilterctl milter-load sample-milter scan-bench; do
  [ -x "$bin/$b" ] || { log "$b did not build"; exit 1; }
done

work=$(mktemp -d /tmp/scanmilter-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{db,tmp,quarantine,results}
results=$work/results
running=()
cleanup() {
  local pid
  for pid in "${running[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${running[@]}"; do wait "$pid" 2>/dev/null || true; done
  pf_teardown
  if [ -z "${KEEP_BENCH:-}" ]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT

# start NAME READY_REGEX COMMAND...: runs a server in the background and waits until its output
# (or its log file, NAME.file.log) shows READY_REGEX; its pid is left in $started.
started=""
start() {
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
stop() {  # stop PID: SIGTERM and wait
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() {  # load NAME SOCKET CORPUS [milter-load options...]: one milter-load run, JSON in results/NAME.json
  local name=$1 socket=$2 corpus=$3; shift 3
  "$bin/milter-load" --socket "$socket" --corpus "$corpus" --json "$@" > "$results/$name.json" || true
  python3 - "$results/$name.json" "$name" >&2 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("bench:   {}: {:.1f} msg/s, p99 {:.1f} ms, errors {}".format(
    sys.argv[2], r["messagesPerSecond"], r["latencyMilliseconds"]["p99"], r["errorCount"]))
PY
}

cat > "$results/meta.json" <<JSON
{"machine": "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr), load average $(cut -d' ' -f1 /proc/loadavg) at start",
 "command": "$( [ -n "$ONLY" ] && printf 'ONLY=%s ' "$ONLY")$( [ "$QUICK" = 1 ] && printf 'QUICK=1 ')$( [ "$LARGE" = 1 ] && printf 'LARGE=1 ')scripts/bench.sh (CONNECTIONS=$CONNECTIONS, DURATION=$DURATION)",
 "date": "$(date -u +%Y-%m-%dT%H:%MZ)", "memoryMB": $memory_mb, "signatures": "$hashes hash and $((bodies + 1)) body signatures"}
JSON

log "corpus and database"
if part clamav-milter || part layer || part large; then
  python3 scripts/bench/make_corpus.py "$work/corpus" --scale "$scale" >&2
  mkdir -p "$work/small-corpus" && cp "$work"/corpus/small-*.eml "$work/small-corpus/"
fi
part memory && python3 scripts/bench/make_corpus.py "$work/memory-corpus" --memory "$memory_mb" >&2
python3 scripts/bench/make_database.py "$work/db" "$hashes" "$bodies" >&2
if part layer || part postfix; then gcc -O2 -o "$work/cfilter" scripts/bench/cfilter.c -lmilter -lpthread; fi

# --- clamd, shared by clamav-milter and scanmilter's clamd backend ---------------------------
if part clamav-milter; then
cat > "$work/clamd.conf" <<CONF
LocalSocket $work/clamd.sock
DatabaseDirectory $work/db
TemporaryDirectory $work/tmp
Foreground yes
LogFile $work/clamd.file.log
MaxThreads $((CONNECTIONS * 2))
MaxConnectionQueueLength 200
StreamMaxLength 100M
MaxScanSize 400M
MaxFileSize 100M
DisableCache yes
CONF
start clamd 'Listening daemon|Self checking every' clamd --config-file="$work/clamd.conf"; clamd_pid=$started
log "clamd ready (pid $clamd_pid)"
fi

# Every contender runs with libclamav's clean cache off (clamd: DisableCache; scanmilter:
# disable_cache): milter-load replays one corpus, and a cache would measure hash lookups of
# content seen a second ago, where real mail is nearly all new.
scanmilter_config() {  # scanmilter_config FILE SOCKET BACKEND [STRATEGY]
  cat > "$1" <<CONF
[milter]
socket = "$2"
control_socket = "$work/control.sock"
[scan]
backend = "$3"
strategy = "${4:-skeleton}"
disable_cache = true
database_dir = "$work/db"
clamd_servers = ["unix:$work/clamd.sock"]
max_message_size = "100MB"
temp_dir = "$work/tmp"
[quarantine]
dir = "$work/quarantine"
[log]
target = "$(dirname "$1")/$(basename "$1" .toml).file.log"
level = "notice"
CONF
}

# --- 1. scanmilter against clamav-milter --------------------------------------------------
if part clamav-milter; then
log "1. scanmilter against clamav-milter: $CONNECTIONS connections, ${DURATION}s each"
common=(--connections "$CONNECTIONS" --duration "$DURATION")
scanmilter_config "$work/embedded.toml" "unix:$work/embedded.sock" clamav
start embedded 'ready' "$bin/scanmilter" --config "$work/embedded.toml"; pid=$started
load load-embedded "unix:$work/embedded.sock" "$work/corpus" "${common[@]}" --pid "$pid" --verdicts "$results/verdicts-embedded.txt"
stop "$pid"

# The same with strategy "full", the default before the skeleton: every attachment also
# through libclamav's mail parser.
scanmilter_config "$work/embedded-full.toml" "unix:$work/embedded-full.sock" clamav full
start embedded-full 'ready' "$bin/scanmilter" --config "$work/embedded-full.toml"; pid=$started
load load-embedded-full "unix:$work/embedded-full.sock" "$work/corpus" "${common[@]}" --pid "$pid" --verdicts "$results/verdicts-embedded-full.txt"
stop "$pid"

scanmilter_config "$work/clamd-backend.toml" "unix:$work/clamd-backend.sock" clamd
start clamd-backend 'ready' "$bin/scanmilter" --config "$work/clamd-backend.toml"; pid=$started
load load-clamd-backend "unix:$work/clamd-backend.sock" "$work/corpus" "${common[@]}" --pid "$pid" --pid "$clamd_pid" \
  --verdicts "$results/verdicts-clamd-backend.txt"
stop "$pid"

cat > "$work/clamav-milter.conf" <<CONF
MilterSocket unix:$work/clamav-milter.sock
ClamdSocket unix:$work/clamd.sock
Foreground yes
PidFile $work/clamav-milter.pid
LogFile $work/clamav-milter.file.log
LogInfected Basic
OnInfected Reject
OnFail Defer
AddHeader Replace
MaxFileSize 100M
ReadTimeout 300
CONF
clamav-milter --config-file="$work/clamav-milter.conf" > "$work/clamav-milter.log" 2>&1 &
milter_pid=$!
running+=("$milter_pid")
for _ in $(seq 1 100); do [ -S "$work/clamav-milter.sock" ] && break; sleep 0.1; done
[ -S "$work/clamav-milter.sock" ] || { log "clamav-milter did not start"; cat "$work/clamav-milter.log" >&2; exit 1; }
load load-clamav-milter "unix:$work/clamav-milter.sock" "$work/corpus" "${common[@]}" --pid "$milter_pid" --pid "$clamd_pid" \
  --verdicts "$results/verdicts-clamav-milter.txt"
stop "$milter_pid"
fi  # clamav-milter

# --- 2. the Milter layer ---------------------------------------------------------------------
if part layer; then
log "2. the Milter layer: sample-milter, C libmilter, pymilter, libmilter floor ($CONNECTIONS connections)"
CONNECTIONS=$CONNECTIONS DURATION=$(( DURATION / 4 + 2 )) RUNS=3 scripts/bench/layer.sh "$work"
fi  # layer

# --- 3. memory ----------------------------------------------------------------------------------
if part memory; then
log "3. memory: $memory_connections connections x one $memory_mb MB message"
scanmilter_config "$work/memory.toml" "unix:$work/memory.sock" clamav
start memory 'ready' "$bin/scanmilter" --config "$work/memory.toml"; pid=$started
sleep 1
awk '/VmRSS/ {print $2 * 1024}' "/proc/$pid/status" > "$results/memory-idle.txt"
python3 scripts/bench/rss_sampler.py "$pid" "$results/memory-sampled.json" & sampler=$!; running+=("$sampler")
load memory "unix:$work/memory.sock" "$work/memory-corpus" --connections "$memory_connections" \
  --messages "$memory_connections" --pid "$pid"
stop "$sampler"
stop "$pid"
fi  # memory

# --- large signature set: reload under load -------------------------------------------------
if part large; then
  log "large set: reload under load ($hashes hash and $bodies body signatures)"
  scanmilter_config "$work/reload.toml" "unix:$work/reload.sock" clamav
  start reload 'ready' "$bin/scanmilter" --config "$work/reload.toml"; pid=$started
  ( for _ in 1 2 3; do sleep 4; "$bin/scanmilterctl" reload -c "$work/reload.toml" >&2 || true; done ) &
  reloader=$!
  load reload-under-load "unix:$work/reload.sock" "$work/corpus" --connections "$CONNECTIONS" --duration 16 --pid "$pid"
  wait "$reloader" || true
  stop "$pid"
fi

# --- scan workers against the in-process engine ------------------------------------------------
if part isolation; then
  log "isolation: scan workers against the in-process engine"
  if [ "$QUICK" = 1 ]; then iso=(HASHES=200000 BODIES=10000 ROUNDS=1 DURATION=8); else iso=(ROUNDS=3 DURATION=15); fi
  env "${iso[@]}" CONNECTIONS="$CONNECTIONS" scripts/bench/isolation.sh "$bin" | tee "$results/isolation.md" >&2
fi

# --- 4. through real Postfix over TCP --------------------------------------------------------
if part postfix; then
log "4. through Postfix over TCP: $smtp_messages messages, one SMTP session at a time, $smtp_runs runs each"
smtp_port=$(free_port); sink_port=$(free_port); milter_port=$(free_port)
pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" >&2
smtp_rate() {  # messages/s of one smtp-source run; empty on an SMTP error
  local start end output
  start=$(date +%s.%N)
  output=$(smtp-source -s 1 -m "$smtp_messages" -l 2000 -f sender@bench.example -t rcpt@bench.example "127.0.0.1:$smtp_port" 2>&1)
  end=$(date +%s.%N)
  [ -z "$output" ] || { log "smtp-source: $output"; return 0; }
  python3 -c "print(round($smtp_messages / ($end - $start), 1))"
}
postfix_row() {  # postfix_row LABEL: smtp_runs runs against whatever listens on milter_port
  local label=$1 line="$1" i
  for i in $(seq 1 "$smtp_runs"); do line+=$'\t'$(smtp_rate); done
  echo "$line" >> "$results/postfix.tsv"
  log "  $line"
}
postconf -c "$work/postfix/etc" -e 'smtpd_milters =' 'non_smtpd_milters ='; postfix -c "$work/postfix/etc" reload >/dev/null 2>&1; sleep 1
postfix_row "no milter (Postfix alone)"
postconf -c "$work/postfix/etc" -e "smtpd_milters = inet:127.0.0.1:$milter_port"; postfix -c "$work/postfix/etc" reload >/dev/null 2>&1; sleep 1
for mode in "" "nodelay" "nodelay data"; do
  start "cfilter-tcp" 'listening on' "$work/cfilter" "inet:$milter_port@127.0.0.1" $mode; pid=$started
  case "$mode" in
    "") postfix_row "C libmilter filter, as shipped" ;;
    nodelay) postfix_row "C libmilter filter, TCP_NODELAY" ;;
    *) postfix_row "C libmilter filter, TCP_NODELAY + DATA negotiated" ;;
  esac
  stop "$pid"
done
start "pyfilter-tcp" 'listening on' /usr/bin/python3 scripts/bench/pyfilter.py "inet:$milter_port@127.0.0.1" nodelay; pid=$started
postfix_row "pymilter filter, TCP_NODELAY"
stop "$pid"
scanmilter_config "$work/tcp.toml" "inet:$milter_port@127.0.0.1" clamav
start tcp 'ready' "$bin/scanmilter" --config "$work/tcp.toml"; pid=$started
postfix_row "scanmilter (embedded), DATA negotiated"
stop "$pid"
pf_teardown
fi  # postfix

# --- 5. pipeline cost against a raw libclamav scan ---------------------------------------------
if part scan-bench; then
log "5. scan-bench engine (pipeline against a raw scan of the same bytes)"
"$bin/scan-bench" engine --hashes "$hashes" --bodies "$bodies" "${scan_bench_args[@]}" > "$results/scan-bench.txt" 2>&1 || true
fi  # scan-bench

# --- 6. the clamd pool through Postfix, with a stand-in of our own -----------------------------
if part pool; then
log "6. clamd pool through Postfix: stand-in with ${POOL_DELAY:-0.5}s per scan, one and two servers, and real clamd"
SCANMILTER_BIN="$bin/scanmilter" DELAY=${POOL_DELAY:-0.5} SESSIONS=$CONNECTIONS SECONDS_PER_RUN=$(( DURATION / 2 + 3 )) \
  RUNS=$( [ "$QUICK" = 1 ] && echo 1 || echo 3 ) scripts/bench/clamd-pool.sh > "$results/pool.md" || true
fi  # pool

# --- 7. the quarantine: tag against the local store against PostgreSQL -----------------------
if part quarantine; then
log "7. quarantine (scripts/bench/quarantine.sh)"
BIN=$bin CONNECTIONS=$CONNECTIONS DURATION=$DURATION scripts/bench/quarantine.sh > "$results/quarantine.md" || true
fi  # quarantine

mkdir -p "$root/bench-results"
report=$root/bench-results/bench-$(date -u +%Y%m%dT%H%M%SZ).md
python3 scripts/bench/report.py "$results" | tee "$report"
[ ! -f "$results/isolation.md" ] || tee -a "$report" < "$results/isolation.md"
cp "$report" "$root/bench-results/latest.md"
cp -r "$results" "${report%.md}-raw"
log "written to $report"
