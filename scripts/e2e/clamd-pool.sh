#!/usr/bin/env bash
# End-to-end: a reload of a pool of two clamd servers under load loses no message.
# Two real clamd processes (unix sockets in a temporary folder) run ClamAV's signed test
# database 3 as their daily database plus a marker signature; scanmilter uses them as its clamd
# backend. While milter-load streams clean and marked messages over 8 milter connections, both
# database folders get test database 4 and `scanmilterctl reload` reloads the pool one server at
# a time. Checked: no message failed, temp-failed or got a wrong verdict; the reload took each
# server from 3 to 4; `scanmilterctl health` shows both servers up on version 4.
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

work=$(mktemp -d /tmp/scanmilter-clamd-pool-e2e.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_E2E:-}" ] && echo "e2e clamd-pool: kept $work" || rm -rf "$work"
}
trap cleanup EXIT

marker=SCANMILTER-E2E-POOL-MARKER
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
clamd_servers = ["unix:$work/clamd1/clamd.sock", "unix:$work/clamd2/clamd.sock"]
temp_dir = "$work"
[policy]
max_signature_age = 0
[log]
target = "$work/scanmilter.log"
CONF

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }

for n in 1 2; do
  for _ in $(seq 100); do [ -S "$work/clamd$n/clamd.sock" ] && break; sleep 0.1; done
  [ -S "$work/clamd$n/clamd.sock" ] || { cat "$work/clamd$n/clamd.log" >&2; echo "e2e clamd-pool: clamd $n did not start" >&2; exit 1; }
done
"$bin" --config "$work/scanmilter.toml" > "$work/daemon.out" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q "scanmilter ready" "$work/scanmilter.log" 2>/dev/null && break; sleep 0.1; done
grep -q "scanmilter ready" "$work/scanmilter.log" || { cat "$work/scanmilter.log" "$work/daemon.out" >&2; exit 1; }

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

echo "e2e clamd-pool: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
