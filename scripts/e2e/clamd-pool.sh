#!/usr/bin/env bash
# End-to-end: a reload of a pool of two clamd servers under load loses no message.
# Two real clamd processes (unix sockets in a temporary folder) run ClamAV's signed test
# database 3 as their daily database plus a marker signature; scanmilter uses them as its clamd
# backend. While milter-load streams clean and marked messages over 8 milter connections, both
# database folders get test database 4 and `scanmilterctl reload` reloads the pool one server at
# a time. Checked: no message failed, temp-failed or got a wrong verdict; the reload took each
# server from 3 to 4; `scanmilterctl health` and /metrics show both servers up on version 4.
# When only one server is told to reload (database 5), the daemon sees the versions differ and
# reloads the other on its own. Then, restarted with the default max_signature_age and `stale = "tempfail"`, the daemon
# temp-fails mail: the test databases are years old, and their age now comes from clamd's VERSION.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}
load=${MILTER_LOAD_BIN:-$(dirname "$bin")/milter-load}
fixtures=$("$root/scripts/test-cvd/fetch.sh")
for tool in "$bin" "$ctl" "$load"; do
  [ -x "$tool" ] || { echo "e2e clamd-pool: build $tool first" >&2; exit 1; }
done
[ -f "$fixtures/test-4.cvd" ] || { echo "e2e clamd-pool: no ClamAV test databases at $fixtures" >&2; exit 1; }

. "$root/scripts/e2e/lib/workdir.sh"
e2e_workdir clamd-pool

marker=SCANMILTER-E2E-POOL-MARKER
metrics_port=$(free_port)
user=""; [ "$(id -u)" = 0 ] && user="User root"  # as root clamd would switch to clamav and lose our files
for n in 1 2; do
  mkdir -p "$work/clamd$n/db"
  cp "$fixtures/test-3.cvd" "$work/clamd$n/db/daily.cvd"
  printf 'Scanmilter.E2E.PoolMarker:0:*:%s\n' "$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')" > "$work/clamd$n/db/marker.ndb"
  cat > "$work/clamd$n/clamd.conf" <<CONF
Foreground yes
LocalSocket $work/clamd$n/clamd.sock
DatabaseDirectory $work/clamd$n/db
LogFile $work/clamd$n/clamd.log
LogSyslog no
MaxThreads 8
SelfCheck 0
$user
CONF
  /usr/sbin/clamd --config-file="$work/clamd$n/clamd.conf" > /dev/null 2>&1 &
  pids+=($!)
done

mkdir -p "$work/msgs"
for i in 1 2 3; do
  printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: clean %s\r\n\r\nNothing to see here, message %s.\r\n' "$i" "$i" > "$work/msgs/clean-$i.eml"
done
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: marker\r\n\r\nThis carries %s inside.\r\n' "$marker" > "$work/msgs/marker-1.eml"

cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "unix:$work/milter.sock"
control_socket = "$work/control.sock"
[scan]
backend = "clamd"
clamd_servers = ["unix:$work/clamd1/clamd.sock max_threads=6", "unix:$work/clamd2/clamd.sock"]
clamd_max_threads = 8
temp_dir = "$work"
[log]
target = "$work/scanmilter.log"
[metrics]
listen = "127.0.0.1:$metrics_port"
CONF
cp "$work/scanmilter.toml" "$work/stale.toml"
printf '[actions]\nstale = "tempfail"\n' >> "$work/stale.toml"
printf '[policy]\nmax_signature_age = 0\n' >> "$work/scanmilter.toml"

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }

for n in 1 2; do
  for _ in $(seq 100); do [ -S "$work/clamd$n/clamd.sock" ] && break; sleep 0.1; done
  [ -S "$work/clamd$n/clamd.sock" ] || { cat "$work/clamd$n/clamd.log" >&2; echo "e2e clamd-pool: clamd $n did not start" >&2; exit 1; }
done
# Starts the daemon on config $1 and waits for its ready line; its pid is in $daemon.
start_daemon() {
  : > "$work/scanmilter.log"
  "$bin" --config "$1" > "$work/daemon.out" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  for _ in $(seq 300); do grep -q "scanmilter ready" "$work/scanmilter.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "scanmilter ready" "$work/scanmilter.log" || { cat "$work/scanmilter.log" "$work/daemon.out" >&2; exit 1; }
}
start_daemon "$work/scanmilter.toml"

health=$("$ctl" health --config "$work/scanmilter.toml" 2>&1 || true)
case "$health" in
  *"clamd unix:$work/clamd1/clamd.sock up (ClamAV "*"/3/"*"clamd unix:$work/clamd2/clamd.sock up (ClamAV "*"/3/"*) pass "health shows both servers up on version 3" ;;
  *) fail "health before the reload" "$health" ;;
esac

"$load" --socket "unix:$work/milter.sock" --corpus "$work/msgs" --connections 8 --duration 12 --json > "$work/load.json" 2> "$work/load.err" &
load_pid=$!
sleep 3
for n in 1 2; do
  cp "$fixtures/test-4.cvd" "$work/clamd$n/db/.daily.new" && mv "$work/clamd$n/db/.daily.new" "$work/clamd$n/db/daily.cvd"
done
reload=$("$ctl" reload --config "$work/scanmilter.toml" 2>&1 || true)
wait "$load_pid" || true

case "$reload" in
  *"clamd1/clamd.sock: 3 -> 4"*"clamd2/clamd.sock: 3 -> 4"*) pass "the pool reloaded one server after the other, each from 3 to 4" ;;
  *) fail "scanmilterctl reload" "$reload" ;;
esac
python3 - "$work/load.json" 2>/dev/null <<'PY' && pass "no message failed or was temp-failed during the reload under load" || fail "milter-load during the reload" "$(cat "$work/load.json" "$work/load.err")"
import json, sys
report = json.load(open(sys.argv[1]))
kinds = report["verdictsByKind"]
ok = (report["errorCount"] == 0 and report["completed"] > 0
      and set(kinds.get("clean", {})) == {"accept"} and set(kinds.get("marker", {})) == {"reject"})
print(f"       {report['completed']} messages, verdicts {kinds}, errors {report['errorCount']}")
sys.exit(0 if ok else 1)
PY
health=$("$ctl" health --config "$work/scanmilter.toml" 2>&1 || true)
case "$health" in
  *"clamd1/clamd.sock up (ClamAV "*"/4/"*"clamd2/clamd.sock up (ClamAV "*"/4/"*) pass "health shows both servers up on version 4" ;;
  *) fail "health after the reload" "$health" ;;
esac

metrics=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
  "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null || true)
if grep -q "^scanmilter_signature_version 4$" <<<"$metrics" \
  && grep -q "^scanmilter_signature_build_timestamp_seconds " <<<"$metrics" \
  && [ "$(grep -c '^scanmilter_clamd_server_up{.*state="up"} 1$' <<<"$metrics")" = 2 ] \
  && [ "$(grep -c '^scanmilter_clamd_server_signature_version{.*} 4$' <<<"$metrics")" = 2 ] \
  && grep -q '^scanmilter_clamd_server_max_threads{server="unix:.*clamd1/clamd.sock"} 6$' <<<"$metrics" \
  && grep -q '^scanmilter_clamd_server_max_threads{server="unix:.*clamd2/clamd.sock"} 8$' <<<"$metrics"; then
  pass "metrics show the signature version and build time, each server up on version 4 with its max_threads"
else
  fail "metrics after the reload" "$(grep -E '^scanmilter_(signature|clamd)' <<<"$metrics")"
fi

# Database 5 in both folders, but only the second server hears of it.
for n in 1 2; do
  cp "$fixtures/test-5.cvd" "$work/clamd$n/db/.daily.new" && mv "$work/clamd$n/db/.daily.new" "$work/clamd$n/db/daily.cvd"
done
python3 - "$work/clamd2/clamd.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"zRELOAD\0")
assert s.recv(100).startswith(b"RELOADING"), "clamd did not answer RELOADING"
PY
for _ in $(seq 60); do
  health=$("$ctl" health --config "$work/scanmilter.toml" 2>&1 || true)
  [[ "$health" == *"clamd1/clamd.sock up (ClamAV "*"/5/"*"clamd2/clamd.sock up (ClamAV "*"/5/"* ]] && break
  sleep 0.5
done
if [[ "$health" == *"clamd1/clamd.sock up (ClamAV "*"/5/"*"clamd2/clamd.sock up (ClamAV "*"/5/"* ]] \
  && grep -q "reloading the ones behind" "$work/scanmilter.log"; then
  pass "the daemon reloaded the server left behind on its own: both on version 5"
else
  fail "the server left behind" "$health"
fi

kill "$daemon"; wait "$daemon" 2>/dev/null || true
start_daemon "$work/stale.toml"
r=$("$ctl" probe --socket "unix:$work/milter.sock" "$work/msgs/clean-1.eml" 2>&1 | head -1 || true)
[[ "$r" == *"451 4.7.1"*"out of date"* ]] && pass "signatures older than max_signature_age behind clamd: stale, temp-failed: $r" || fail "stale behind clamd" "$r"

echo "e2e clamd-pool: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
