#!/usr/bin/env bash
# End-to-end: a signature update reaches the running daemon with no message failed.
# scanmilter runs on ClamAV's signed test database (version 3, from scripts/test-cvd/fetch.sh);
# a real HTTP server on 127.0.0.1 is the private mirror and serves a custom .ndb with a new
# signature. While messages stream through the milter (MilterClient, via scanmilterctl probe),
# `scanmilterctl update` downloads, tests and installs the new file and makes the daemon reload:
# the message only the new signature detects is then rejected, and every message sent during
# the update was answered correctly.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}
fixtures=$("$root/scripts/test-cvd/fetch.sh")  # the cache, SCANMILTER_TEST_CVD_DIR, or a download
[ -x "$bin" ] && [ -x "$ctl" ] || { echo "e2e update: build scanmilter and scanmilterctl first" >&2; exit 1; }
[ -f "$fixtures/test-3.cvd" ] || { echo "e2e update: no ClamAV test databases at $fixtures" >&2; exit 1; }

. "$root/scripts/e2e/lib/workdir.sh"
e2e_workdir update
mirror_port=$(free_port); milter_port=$(free_port)

mkdir -p "$work/db" "$work/mirror" "$work/msgs"
cp "$fixtures/test-3.cvd" "$work/db/test.cvd"
cp "$fixtures/test-3.cvd" "$work/mirror/test.cvd"
marker=SCANMILTER-E2E-UPDATE-MARKER
printf 'Scanmilter.E2E.NewSignature:0:*:%s\n' "$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')" > "$work/mirror/scanmilter-e2e.ndb"
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: clean\r\n\r\nNothing to see.\r\n' > "$work/msgs/clean.eml"
printf 'From: a@example.org\r\nTo: b@example.net\r\nSubject: marker\r\n\r\nThis carries %s inside.\r\n' "$marker" > "$work/msgs/marker.eml"

cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "inet:$milter_port@127.0.0.1"
control_socket = "$work/control.sock"
[scan]
database_dir = "$work/db"
reload_check_interval = 0
[policy]
max_signature_age = 0
[update]
databases = ["test"]
private_mirror = ["http://127.0.0.1:$mirror_port"]
custom_urls = ["http://127.0.0.1:$mirror_port/scanmilter-e2e.ndb"]
[log]
target = "$work/scanmilter.log"
CONF

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }
probe() { "$ctl" probe --socket "inet:$milter_port@127.0.0.1" "$work/msgs/$1.eml" 2>&1 | head -1 || true; }

python3 -m http.server --bind 127.0.0.1 "$mirror_port" --directory "$work/mirror" > "$work/http.log" 2>&1 &
pids+=($!)
"$bin" --config "$work/scanmilter.toml" > "$work/scanmilter.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q 'scanmilter ready' "$work/scanmilter.log" 2>/dev/null && break; sleep 0.1; done
grep -q 'scanmilter ready' "$work/scanmilter.log" || { cat "$work/scanmilter.log" "$work/scanmilter.out"; exit 1; }

echo "e2e update: before"
r=$(probe clean); [[ "$r" == "response: continue"* ]] && pass "clean message accepted: $r" || fail "clean message" "$r"
r=$(probe marker); [[ "$r" == "response: continue"* ]] && pass "marker not yet detected: $r" || fail "marker before update" "$r"

echo "e2e update: update while messages stream"
: > "$work/stream.log"
( end=$((SECONDS + 600))
  while [ ! -e "$work/stop" ] && [ $SECONDS -lt $end ]; do probe clean >> "$work/stream.log"; done ) &
streamer=$!
sleep 1
if out=$("$ctl" update --config "$work/scanmilter.toml" --json 2>&1); then
  pass "update installed and the daemon confirmed the reload"
else fail "update failed" "$out"; fi
grep -q '"reloaded"' <<< "$out" && pass "update reports daemon.state reloaded" || fail "the daemon did not confirm" "$out"
sleep 1
touch "$work/stop"; wait "$streamer" || true
total=$(wc -l < "$work/stream.log"); good=$(grep -c '^response: continue' "$work/stream.log" || true)
if [ "$total" -gt 0 ] && [ "$total" = "$good" ]; then pass "$good of $total messages during the update answered correctly"
else fail "messages during the update: $good of $total correct" "$(grep -v '^response: continue' "$work/stream.log" | head -3)"; fi

echo "e2e update: after"
r=$(probe marker); [[ "$r" == *"550 5.7.1"*"Scanmilter.E2E.NewSignature"* ]] && pass "marker now rejected: $r" || fail "marker after update" "$r"
r=$(probe clean); [[ "$r" == "response: continue"* ]] && pass "clean message still accepted" || fail "clean after update" "$r"
status=$("$ctl" status --config "$work/scanmilter.toml" 2>&1 || true)
grep -q 'scanmilter-e2e.ndb\|updated' <<< "$status" && pass "status shows the update" || fail "status does not show the update" "$status"

echo "e2e update: $passed passed, $failed failed"
[ "$failed" = 0 ]
