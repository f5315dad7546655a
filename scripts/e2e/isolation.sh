#!/usr/bin/env bash
# End-to-end: scanning in isolated worker processes, through a real Postfix (milter_default_action
# = tempfail). Workers are killed with SIGKILL and SIGSEGV while 8 SMTP sessions stream mail:
# the milter lives, only the messages those workers held are temp-failed, nothing is delivered
# unscanned, the next message scans normally. A message that crashes a worker (test-only fault
# injection, SCANMILTER_TEST_FAULT_INJECTION=1, standing in for a libclamav crash) is
# temp-failed twice and quarantined the third time; a worker that opens a network socket is
# killed by its seccomp filter; one that writes outside its directory is refused by Landlock.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh

bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
[ -x "$bin" ] || { echo "e2e: $bin is not built" >&2; exit 1; }
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}

work=$(mktemp -d /tmp/scanmilter-isolation.XXXXXX)
chmod 755 "$work"
milter_pid=""
cleanup() {
  [ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null || true
  pf_teardown
  rm -f /var/tmp/scanmilter-escape-*
  if [ "${KEEP_E2E:-}" = "" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
smtp_port=$(free_port); sink_port=$(free_port); milter_port=$(free_port); release_port=$(free_port)

mkdir -p "$work/db" "$work/msgs" "$work/quarantine" "$work/tmp"
printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/e2e.ndb"
python3 scripts/e2e/lib/make_messages.py "$work/msgs" > /dev/null
# A clean message big enough (2 MB of attachment) that a scan is still running when a worker is killed.
python3 - "$work/msgs" <<'PY'
import sys, os
from email.message import EmailMessage
out = sys.argv[1]
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "alice@example.org", "bob@example.net", "large clean"
m.set_content("The data set is attached.\n")
m.add_attachment(os.urandom(2 << 20), maintype="application", subtype="octet-stream", filename="data.bin")
open(f"{out}/large.eml", "wb").write(bytes(m))
for fault in ("SEGV", "SYS", "WRITE"):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "mallory@example.com", "bob@example.net", f"crafted {fault}"
    m.set_content("Nothing to see.\n")
    m.add_attachment(f"header SCANMILTER-TEST-FAULT-{fault} trailer".encode(), maintype="application", subtype="octet-stream", filename="crafted.bin")
    open(f"{out}/fault-{fault}.eml", "wb").write(bytes(m))
PY

cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "inet:$milter_port@127.0.0.1"
control_socket = "$work/control.sock"
timeout = "60s"
[scan]
database_dir = "$work/db"
max_message_size = "8MB"
temp_dir = "$work/tmp"
max_concurrent_scans = 4
isolation = "workers"
[actions]
infected = "reject"
[quarantine]
dir = "$work/quarantine"
release_relay = "127.0.0.1:$release_port"
[log]
target = "$work/scanmilter.log"
CONF

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }

send() {  # send NAME ID → the reply to DATA (or to the refused command); "large" is new each time
  local name=$1 id=$2 file="$work/send-$2.eml"
  { printf 'X-E2E-Id: %s\r\n' "$id"; cat "$work/msgs/$name.eml"; } > "$file"
  [ "$name" != large ] || printf '\r\n%s\r\n' "$(head -c 48 /dev/urandom | base64)" >> "$file"
  swaks --server "127.0.0.1:$smtp_port" --from alice@example.org --to bob@example.net \
    --data "$file" --timeout 60 2>&1 | { grep -E '^<(-|\*\*) +[0-9]{3}' || true; } | tail -2 | head -1 | sed -E 's/^<(-|\*\*) +//' || true
}
expect_reply() { if [[ "$2" =~ $3 ]]; then pass "$1: $2"; else fail "$1" "reply was '$2', expected /$3/"; fi; }
zygote_pid() { pgrep -f -- "--scan-zygote --config $work/scanmilter.toml" | sort -n | head -1; }
workers() { local z; z=$(zygote_pid); [ -n "$z" ] && pgrep -P "$z" || true; }
# A worker that is scanning right now (running on a CPU), or nothing.
busy_worker() { local p; for p in $(workers); do [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = R ] && { echo "$p"; return 0; }; done; return 0; }

pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" "$release_port"

: > "$work/scanmilter.log"
SCANMILTER_TEST_FAULT_INJECTION=1 "$bin" --config "$work/scanmilter.toml" >> "$work/scanmilter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 1 300); do grep -q 'scanmilter ready' "$work/scanmilter.log" && break; sleep 0.1; done
grep -q 'scanmilter ready' "$work/scanmilter.log" || { cat "$work/scanmilter.log"; exit 1; }

echo "e2e: scan workers"
[ "$(workers | wc -l)" -ge 4 ] && pass "a zygote and 4 workers run beside the milter" || fail "workers" "$(pgrep -af scan-zygote)"
status=$("$ctl" status --config "$work/scanmilter.toml" --json)
grep -q '"confinement" *: *"landlock=[a-z]*.*seccomp=yes"' <<< "$status" && pass "status reports the workers' confinement (seccomp on)" \
  || fail "status has no scan_workers confinement" "$status"

echo "e2e: workers killed while 8 sessions stream mail"
kills=0
( for i in $(seq 1 8); do
    ( for j in $(seq 1 6); do
        if [ $((j % 3)) = 0 ]; then name=eicar-base64; else name=large; fi
        echo "$name $(send "$name" "s$i-$j")" >> "$work/stream-$i"
      done ) &
  done; wait ) &
stream=$!
for signal in KILL SEGV KILL SEGV; do
  for _ in $(seq 1 200); do
    p=$(busy_worker); [ -n "$p" ] && { kill -"$signal" "$p" 2>/dev/null && kills=$((kills + 1)); break; }
    sleep 0.02
  done
  sleep 0.5
done
wait "$stream"
kill -0 "$milter_pid" 2>/dev/null && pass "the milter lives after $kills workers were killed mid-scan" || fail "the milter died"
cat "$work"/stream-* > "$work/stream.txt"
total=$(wc -l < "$work/stream.txt")
wrong=$(awk '!(($1=="large" && ($2=="250" || $2=="451")) || ($1=="eicar-base64" && ($2=="550" || $2=="451")))' "$work/stream.txt" | wc -l)
tempfailed=$(awk '$2=="451"' "$work/stream.txt" | wc -l)
[ "$total" = 48 ] && [ "$wrong" = 0 ] && pass "48 messages: each accepted clean, rejected infected, or temp-failed" \
  || fail "stream replies" "$(awk '{print $1, $2}' "$work/stream.txt" | sort | uniq -c)"
died=$(grep -c 'scan worker died while scanning' "$work/scanmilter.log" || true)
[ "$tempfailed" -le "$kills" ] && [ "$tempfailed" = "$died" ] \
  && pass "only the messages the killed workers held were temp-failed ($tempfailed of 48, $kills kills)" \
  || fail "temp-failed $tempfailed, workers died mid-scan $died, kills $kills"
grep -q 'scan.worker_cause=SIGSEGV' "$work/scanmilter.log" && pass "a worker killed by SIGSEGV is logged with its signal" \
  || fail "no SIGSEGV death logged" "$(grep 'worker died' "$work/scanmilter.log" | tail -3)"
grep -q 'scan.worker_cause=SIGKILL' "$work/scanmilter.log" && pass "a worker killed by SIGKILL is logged with its signal" \
  || fail "no SIGKILL death logged"
sleep 1; pf_flush; sleep 2
unscanned=0; infected=0
for f in "$pf_dir"/sink/msg.*; do
  [ -e "$f" ] || continue
  grep -q '^X-Virus-Status: Clean' "$f" || unscanned=$((unscanned + 1))
  grep -q 'X-E2E-Id: s[0-9]*-[36]$' "$f" && infected=$((infected + 1))
done
[ "$unscanned" = 0 ] && [ "$infected" = 0 ] && pass "nothing delivered unscanned, nothing infected delivered" \
  || fail "delivered: $unscanned without X-Virus-Status: Clean, $infected infected"
reply=$(send large after1); expect_reply "the next clean message scans normally" "$reply" '^250 '
reply=$(send eicar-base64 after2); expect_reply "the next infected message is still rejected" "$reply" '^550 5\.7\.1 .*EICAR'

echo "e2e: a message that crashes its worker"
reply=$(send fault-SEGV p1); expect_reply "first delivery attempt: temp-failed" "$reply" '^451 '
reply=$(send fault-SEGV p2); expect_reply "second attempt: temp-failed" "$reply" '^451 '
reply=$(send fault-SEGV p3); expect_reply "third attempt: accepted into the quarantine, not scanned again" "$reply" '^250 '
list=$("$ctl" quarantine list --config "$work/scanmilter.toml" --json)
python3 -c 'import json,sys; e=json.load(sys.stdin); sys.exit(0 if any("scanner crash" in x["findings"] for x in e) else 1)' <<< "$list" \
  && pass "the quarantine holds it, with the finding 'scanner crash'" \
  || fail "quarantine" "$list"
[ "$(grep -c 'worker_cause=SIGSEGV' "$work/scanmilter.log")" -ge 3 ] && pass "each crash was one worker, logged" || fail "crash count"

echo "e2e: what a compromised worker cannot do"
reply=$(send fault-SYS n1); expect_reply "a worker that opens a network socket is killed: temp-failed" "$reply" '^451 '
grep -q 'scan.worker_cause=seccomp' "$work/scanmilter.log" && pass "logged as a seccomp violation" || fail "no seccomp death logged"
reply=$(send fault-WRITE w1); expect_reply "a worker that writes outside its directory scans on: accepted" "$reply" '^250 '
if grep -q 'landlock=yes' "$work/scanmilter.log"; then
  ls /var/tmp/scanmilter-escape-* >/dev/null 2>&1 && fail "the worker wrote outside its directory" || pass "Landlock refused the file outside temp_dir"
else
  echo "  skip Landlock is not in this kernel; the write test needs it"
fi
metrics=$("$ctl" status --config "$work/scanmilter.toml" --json)
grep -q '"SIGSEGV" *: *[0-9]' <<< "$metrics" && grep -q '"seccomp" *: *[0-9]' <<< "$metrics" \
  && pass "status counts worker deaths by cause" || fail "status deaths" "$metrics"

kill -TERM "$milter_pid"; wait "$milter_pid" 2>/dev/null || true; milter_pid=""
sleep 1
[ -z "$(pgrep -f -- "--scan-zygote --config $work/scanmilter.toml")" ] && pass "zygote and workers exit with the milter" \
  || fail "scan processes left behind" "$(pgrep -af -- "--scan-zygote")"

echo "isolation e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
