#!/usr/bin/env bash
# End-to-end for the monitoring kit (conf/monitoring): the alert rules pass `promtool check
# rules`; a running scanmilter's /metrics, after real traffic (clean, infected into the
# quarantine, banned), passes `promtool check metrics` (naming rules: a gauge never ends in
# _total); and every scanmilter series the rules and the Grafana dashboard use exists there.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}
rules=conf/monitoring/scanmilter.rules.yml
dashboard=conf/monitoring/scanmilter-dashboard.json
[ -x "$bin" ] && [ -x "$ctl" ] || { echo "monitoring: build scanmilter and scanmilterctl first" >&2; exit 1; }
command -v promtool > /dev/null || { echo "monitoring: promtool is missing (scripts/install-deps.sh installs prometheus)" >&2; exit 1; }

work=$(mktemp -d /tmp/scanmilter-monitoring-e2e.XXXXXX)
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  [ -n "${KEEP_E2E:-}" ] && echo "monitoring: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "$2" | head -20 | sed 's/^/       /'; fi; return 0; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "monitoring: alert rules"
if out=$(promtool check rules "$rules" 2>&1); then pass "promtool check rules: $(grep -o 'SUCCESS: [0-9]* rules found' <<< "$out")"
else fail "promtool check rules" "$out"; fi
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$dashboard" && pass "the dashboard is valid JSON" || fail "dashboard JSON"

echo "monitoring: a live /metrics after traffic"
metrics_port=$(free_port)
mkdir -p "$work/db" "$work/msgs" "$work/quarantine"
# ClamAV's signed test database: a signed set has a version and a build time, as in production.
cp "$("$root/scripts/test-cvd/fetch.sh")/test-3.cvd" "$work/db/test.cvd"
# Its EICAR signature wants the file alone; this one finds it inside a message body too.
printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/e2e.ndb"
cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "unix:$work/milter.sock"
control_socket = ""
[scan]
database_dir = "$work/db"
temp_dir = "$work"
[policy]
max_signature_age = 0              # the test database is years old
[actions]
infected = "quarantine"
[quarantine]
dir = "$work/quarantine"
[log]
target = "$work/scanmilter.log"
[metrics]
listen = "127.0.0.1:$metrics_port"
CONF
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: clean\r\n\r\nNothing to see.\r\n' > "$work/msgs/clean.eml"
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: eicar\r\n\r\nX5O!P%%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\r\n' > "$work/msgs/eicar.eml"
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: exe\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="setup.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n--b--\r\n' > "$work/msgs/banned.eml"
"$bin" --config "$work/scanmilter.toml" > "$work/scanmilter.out" 2>&1 &
daemon=$!
for _ in $(seq 1 300); do grep -q 'scanmilter ready' "$work/scanmilter.log" 2>/dev/null && break; sleep 0.1; done
grep -q 'scanmilter ready' "$work/scanmilter.log" || { cat "$work/scanmilter.log" "$work/scanmilter.out"; exit 1; }
for m in clean eicar banned; do "$ctl" probe --socket "unix:$work/milter.sock" "$work/msgs/$m.eml" > /dev/null 2>&1 || true; done
curl -fsS "http://127.0.0.1:$metrics_port/metrics" > "$work/metrics.txt" 2>&1 || python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())" "http://127.0.0.1:$metrics_port/metrics" > "$work/metrics.txt"
grep -q '^scanmilter_messages_total{verdict="infected"} 1$' "$work/metrics.txt" \
  && pass "/metrics counts the traffic" || fail "/metrics after traffic" "$(grep '^scanmilter_messages' "$work/metrics.txt")"
if out=$(promtool check metrics < "$work/metrics.txt" 2>&1); then pass "promtool check metrics: no problems"
else fail "promtool check metrics" "$out"; fi

echo "monitoring: every series the rules and dashboard use exists"
# Series on /metrics: every sample's name (a histogram's _bucket/_sum/_count as exposed), and
# every declared family (a labelled counter has no sample until its first event).
{ grep -Eo '^scanmilter_[a-z_]+' "$work/metrics.txt"; sed -nE 's/^# TYPE (scanmilter_[a-z_]+) .*/\1/p' "$work/metrics.txt"; } \
  | sort -u > "$work/exposed.txt"
for file in "$rules" "$dashboard"; do
  missing=$(grep -Eo 'scanmilter_[a-z_]+' "$file" | sort -u | grep -vxF -f "$work/exposed.txt" || true)
  [ -z "$missing" ] && pass "$(basename "$file"): $(grep -Eo 'scanmilter_[a-z_]+' "$file" | sort -u | wc -l) series, all exposed" \
    || fail "$(basename "$file") uses series /metrics does not have" "$missing"
done

echo "monitoring: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
