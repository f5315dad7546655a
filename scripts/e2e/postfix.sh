#!/usr/bin/env bash
# End-to-end: a real Postfix on loopback with scanmilter as its milter (milter_default_action =
# tempfail), mail sent over SMTP with swaks, and what Postfix did checked: replies, delivered
# mail (an smtp-sink writes each message to a file), the hold queue.
# Needs the debug build (scripts/test.sh builds it first) and scripts/install-deps.sh's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh

bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
[ -x "$bin" ] || { echo "e2e: $bin is not built" >&2; exit 1; }

work=$(mktemp -d /tmp/scanmilter-e2e.XXXXXX)
chmod 755 "$work"
milter_pid=""
cleanup() {
  [ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null || true
  pf_teardown
  if [ "${KEEP_E2E:-}" = "" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
smtp_port=$(free_port); sink_port=$(free_port); milter_port=$(free_port); release_port=$(free_port)
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}

# A generated signature database: EICAR as a body signature (the real engine, our signature).
mkdir -p "$work/db" "$work/msgs" "$work/quarantine"
printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/e2e.ndb"
python3 scripts/e2e/lib/make_messages.py "$work/msgs" > /dev/null

cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "inet:$milter_port@127.0.0.1"
control_socket = "$work/control.sock"
timeout = "60s"
[scan]
database_dir = "$work/db"
max_message_size = "1MB"
memory_threshold = "64KB"
temp_dir = "$work"
[quarantine]
dir = "$work/quarantine"
release_relay = "127.0.0.1:$release_port"
[log]
target = "$work/scanmilter.log"
CONF

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }

start_milter() {   # [VAR=value ...] environment overrides for this run
  : > "$work/scanmilter.log"
  env "$@" "$bin" --config "$work/scanmilter.toml" >> "$work/scanmilter.log" 2>&1 &
  milter_pid=$!
  for _ in $(seq 1 300); do
    grep -q 'scanmilter ready' "$work/scanmilter.log" && return 0
    kill -0 "$milter_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "e2e: scanmilter did not start:" >&2; cat "$work/scanmilter.log" >&2; exit 1
}
stop_milter() {
  [ -n "$milter_pid" ] || return 0
  kill -TERM "$milter_pid" 2>/dev/null || true
  local status=0
  wait "$milter_pid" 2>/dev/null || status=$?
  milter_pid=""
  [ "$status" = 0 ] || fail "scanmilter exited with status $status on SIGTERM (expected 0)" "$(tail -3 "$work/scanmilter.log")"
}

# send NAME ID: sends msgs/NAME.eml with an X-E2E-Id header; prints the reply to DATA (or to
# whichever command was refused).
send() {
  local name=$1 id=$2 file="$work/send-$2.eml"
  { printf 'X-E2E-Id: %s\r\n' "$id"; cat "$work/msgs/$name.eml"; } > "$file"
  swaks --server "127.0.0.1:$smtp_port" --from alice@example.org --to bob@example.net \
    --data "$file" --timeout 60 2>&1 | { grep -E '^<(-|\*\*) +[0-9]{3}' || true; } | tail -2 | head -1 | sed -E 's/^<(-|\*\*) +//' || true
}
delivered() {  # delivered ID → path of the delivered copy, waiting up to 10 s
  local id=$1 f
  for _ in $(seq 1 100); do
    f=$(grep -l "X-E2E-Id: $id" "$pf_dir"/sink/msg.* 2>/dev/null | head -1 || true)
    [ -n "$f" ] && { echo "$f"; return 0; }
    pf_flush; sleep 0.1
  done
  return 1
}
expect_reply() {  # expect_reply LABEL REPLY REGEX
  if [[ "$2" =~ $3 ]]; then pass "$1: $2"; else fail "$1" "reply was '$2', expected /$3/"; fi
}

pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" "$release_port"

echo "e2e: default actions"
start_milter
reply=$(send clean c1); expect_reply "clean mail accepted" "$reply" '^250 '
# One grep per queue id tells a message's story: scanmilter's line starts with Postfix's id.
qid=$(sed -nE 's/.*queued as ([0-9A-F]+).*/\1/p' <<< "$reply")
[ -n "$qid" ] && grep -q "scanmilter: $qid: message done" "$work/scanmilter.log" \
  && pass "scanmilter's line for the message starts with Postfix's queue id $qid" \
  || fail "no scanmilter line starting with queue id '$qid'" "$(grep 'message done' "$work/scanmilter.log" | tail -2)"
if f=$(delivered c1); then
  grep -q '^X-Virus-Status: Clean' "$f" && pass "clean mail delivered with X-Virus-Status: Clean" || fail "X-Virus-Status missing" "$(grep -i '^x-virus' "$f")"
  grep -q '^X-Virus-Scanned: scanmilter .* on ' "$f" && pass "X-Virus-Scanned names scanner and signatures" || fail "X-Virus-Scanned missing"
else fail "clean mail was not delivered"; fi

reply=$(send forged f1); expect_reply "forged status headers: accepted" "$reply" '^250 '
if f=$(delivered f1); then
  [ "$(grep -c '^X-Virus-Status:' "$f")" = 1 ] && grep -q '^X-Virus-Status: Clean' "$f" && ! grep -qi '^X-Virus-.*forged' "$f" \
    && pass "forged X-Virus-Status and X-Virus-Scanned replaced" || fail "forged headers survived" "$(grep -i '^x-virus' "$f")"
else fail "forged-header mail was not delivered"; fi

for name in eicar-base64 eicar-zip eicar-rfc822; do
  reply=$(send "$name" "$name"); expect_reply "$name rejected with the virus name" "$reply" '^550 5\.7\.1 .*Scanmilter\.E2E\.EICAR'
done
# An encrypted zip whose password is in the body: opened with it, and refused for the virus
# inside (before: banned as archive-encrypted).
reply=$(send eicar-zip-password zp1)
expect_reply "encrypted zip with its password in the body rejected with the virus name" "$reply" '^550 5\.7\.1 .*Scanmilter\.E2E\.EICAR'
grep -q 'scan.opened_archives=.*opened with a password from the message' "$work/scanmilter.log" \
  && pass "the log line says the archive was opened with a password from the message" || fail "no scan.opened_archives in the log"
reply=$(send exe-as-pdf x1); expect_reply "Windows executable named report.pdf rejected by a banned rule" "$reply" '^550 5\.7\.1 .*(banned-type|type-mismatch)'

# Everyday mislabelling is delivered as clean, a disguise is refused (Tests/FilterTests/Corpus/mislabelled).
cp Tests/FilterTests/Corpus/mislabelled/{benign-csv-as-windows-excel,benign-docx-named-doc,benign-png-named-jpg,benign-winmail-dat-as-ms-tnef,hostile-docm-named-docx}.eml "$work/msgs/"
for name in benign-csv-as-windows-excel benign-docx-named-doc benign-png-named-jpg benign-winmail-dat-as-ms-tnef; do
  reply=$(send "$name" "$name"); expect_reply "$name accepted" "$reply" '^250 '
  if f=$(delivered "$name"); then
    grep -q '^X-Virus-Status: Clean' "$f" && pass "$name delivered as Clean" || fail "$name: X-Virus-Status is not Clean" "$(grep -i '^x-virus' "$f")"
  else fail "$name was not delivered"; fi
done
f=$(delivered benign-png-named-jpg || true)
grep -q '^X-Virus-Type-Mismatch: type-mismatch:jpeg-is-png' "${f:-/dev/null}" && pass "a PNG named .jpg: the harmless mismatch is recorded in a header" \
  || fail "X-Virus-Type-Mismatch missing on the PNG named .jpg"
reply=$(send hostile-docm-named-docx m1); expect_reply "a .docm named .docx rejected as a disguise" "$reply" '^550 5\.7\.1 .*type-mismatch:word-ooxml-is-word-macro'

reply=$(send nested-200 n1)
expect_reply "200 nested messages: refused for good (limit_exceeded), naming the limit" "$reply" '^554 5\.6\.0 Message exceeds a scanning limit: [A-Za-z]'

reply=$(send oversize o1); expect_reply "oversize message: oversize action (tag) accepts" "$reply" '^250 '
if f=$(delivered o1); then
  grep -q '^X-Virus-Status: Unscanned (size)' "$f" && [ "$(grep -c '^X-Virus-Status:' "$f")" = 1 ] \
    && pass "oversize message labelled Unscanned (size), forged Clean removed" || fail "oversize labelling" "$(grep -i '^x-virus' "$f")"
else fail "oversize message was not delivered"; fi
grep -q 'message done.*scan.verdict=infected' "$work/scanmilter.log" && pass "summary log line per message" || fail "no summary log line"

echo "e2e: 50 concurrent SMTP sessions"
senders=()
for i in $(seq 1 50); do
  if [ $((i % 5)) = 0 ]; then name=eicar-base64; else name=clean; fi
  ( r=$(send "$name" "p$i"); echo "$name $r" > "$work/parallel-$i" ) &
  senders+=($!)
done
wait "${senders[@]}"
ok=0
for i in $(seq 1 50); do
  read -r name code _ < "$work/parallel-$i" || true
  if { [ "$name" = clean ] && [ "$code" = 250 ]; } || { [ "$name" = eicar-base64 ] && [ "$code" = 550 ]; }; then ok=$((ok + 1)); fi
done
[ "$ok" = 50 ] && pass "50 concurrent sessions all answered correctly" || fail "concurrent sessions: $ok of 50 correct"

stop_milter
echo "e2e: a reply template with a literal percent"
# `%%` is a percent sign in a template; libmilter's reply text needs it escaped again, and
# Postfix undoes that: the client must see one `%`, not Postfix's generic text.
start_milter SCANMILTER_REPLY_INFECTED='550 5.7.1 100%% sure: %v'
reply=$(send eicar-base64 pct1)
expect_reply "template '100%% sure: %v' reaches the client as '100% sure: <virus>'" "$reply" '^550 5\.7\.1 100% sure: Scanmilter\.E2E\.EICAR'
grep -q 'SMTP reply cannot be sent' "$work/scanmilter.log" && fail "scanmilter logged an unsendable reply" "$(grep 'SMTP reply' "$work/scanmilter.log")" \
  || pass "no reply dropped"
stop_milter

echo "e2e: actions discard, hold, strip"
start_milter SCANMILTER_ACTIONS_INFECTED=discard
reply=$(send eicar-base64 d1); expect_reply "discard: the client sees 250" "$reply" '^250 '
sleep 1; pf_flush; sleep 1
grep -l "X-E2E-Id: d1" "$pf_dir"/sink/msg.* >/dev/null 2>&1 && fail "discarded message was delivered" || pass "discarded message not delivered"
stop_milter

start_milter SCANMILTER_ACTIONS_INFECTED=hold
reply=$(send eicar-base64 h1); expect_reply "hold: the client sees 250" "$reply" '^250 '
queue_id=$(sed -nE 's/.*queued as ([0-9A-F]+).*/\1/p' <<< "$reply")
if [ -n "$queue_id" ] && postqueue -c "$pf_dir/etc" -j | grep "\"queue_id\": *\"$queue_id\"" | grep -q '"queue_name": *"hold"'; then
  pass "hold: message $queue_id is in Postfix's hold queue"
else fail "hold: message not in the hold queue" "$(postqueue -c "$pf_dir/etc" -j)"; fi
stop_milter

start_milter SCANMILTER_ACTIONS_INFECTED=strip
reply=$(send eicar-base64 s1); expect_reply "strip: accepted" "$reply" '^250 '
if f=$(delivered s1); then
  grep -q 'removed by scanmilter' "$f" && ! grep -q 'WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9' "$f" \
    && pass "strip: attachment replaced by a notice, the rest delivered" || fail "strip: body not rewritten"
  grep -q 'Hello\|See attachment' "$f" && pass "strip: the text part is intact" || fail "strip: text part lost"
else fail "stripped message was not delivered"; fi
stop_milter

echo "e2e: quarantine, list, release"
start_milter SCANMILTER_ACTIONS_INFECTED=quarantine
reply=$(send eicar-base64 q1); expect_reply "quarantine: the client sees 250" "$reply" '^250 '
sleep 1; pf_flush; sleep 0.5
grep -l "X-E2E-Id: q1" "$pf_dir"/sink/msg.* >/dev/null 2>&1 && fail "quarantined message was delivered" || pass "quarantined message not delivered"
listing=$("$ctl" quarantine list --config "$work/scanmilter.toml" --json 2>&1 || true)
qid=$(python3 -c 'import json,sys
try:
    entries = json.loads(sys.stdin.read())
except ValueError:
    entries = []
entries = entries.get("entries", entries) if isinstance(entries, dict) else entries
print(next((e["id"] for e in entries if e.get("action") == "quarantine" and "Scanmilter.E2E.EICAR" in json.dumps(e)), ""))' <<< "$listing")
if [ -n "$qid" ]; then pass "quarantine list finds the message ($qid)"; else fail "quarantine list does not show it" "$listing"; fi
if [ -n "$qid" ]; then
  out=$("$ctl" quarantine release "$qid" --to carol@example.net --force --config "$work/scanmilter.toml" 2>&1) \
    && pass "quarantine release --to accepted by the relay" || fail "quarantine release failed" "$out"
  if f=$(delivered q1); then
    grep -q '^X-Rcpt-Args: <carol@example.net>' "$f" && pass "released message delivered to the --to address" \
      || fail "released message went to the wrong recipient" "$(grep -i '^x-rcpt' "$f")"
  else fail "released message was not delivered"; fi
  again=$("$ctl" quarantine release "$qid" --to carol@example.net --force --config "$work/scanmilter.toml" 2>&1) \
    && fail "a second release of the same message succeeded" "$again" || pass "a released message is not released twice"
  counts=$("$ctl" status --config "$work/scanmilter.toml" --json 2>/dev/null | python3 -c 'import json,sys; q=json.load(sys.stdin).get("quarantine") or {}; print(q.get("released", 0), q.get("entries", 0))' || true)
  [ "${counts%% *}" -ge 1 ] 2>/dev/null && pass "status counts the released entry ($counts)" || fail "status quarantine counts" "$counts"
fi
stop_milter

echo "e2e: privileges dropped after the socket is open"
start_milter SCANMILTER_MILTER_USER=nobody SCANMILTER_SCAN_TEMP_DIR=/tmp
uid=$(awk '/^Uid:/ {print $2}' "/proc/$milter_pid/status")
[ "$uid" = "$(id -u nobody)" ] && pass "scanmilter runs as nobody (uid $uid)" || fail "scanmilter still runs as uid $uid"
reply=$(send clean n1); expect_reply "unprivileged scanmilter still scans" "$reply" '^250 '
stop_milter

echo "e2e: scanmilter stopped"
reply=$(send clean down1); expect_reply "milter down: Postfix answers 4xx, the client keeps the mail" "$reply" '^4[0-9][0-9] '
sleep 0.5
grep -l "X-E2E-Id: down1" "$pf_dir"/sink/msg.* >/dev/null 2>&1 && fail "mail delivered unscanned while the milter was down" || pass "no mail delivered unscanned"

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
