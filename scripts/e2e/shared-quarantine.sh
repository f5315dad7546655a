#!/usr/bin/env bash
# End-to-end: the shared quarantine on PostgreSQL (issue 16). Two "mail hosts" — two private
# Postfix instances, each with its own scanmilter — quarantine into one private PostgreSQL 15
# cluster (scripts/lib/postgres-cluster.sh: initdb in a temporary directory, SCRAM, a free
# port). Checked: the daemon refuses a database without the schema (exit 78, naming
# `quarantine init`); init is idempotent; a third CLI lists both hosts' entries; one message
# released from two CLIs at the same moment reaches the sink once; with PostgreSQL stopped an
# infected message gets a 4xx and waits in the sending Postfix's queue, and is quarantined
# once the server is back and that Postfix retries; a local store migrates into PostgreSQL.
# Needs the debug build (scripts/test.sh builds it first) and scripts/install-deps.sh's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh

bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}
[ -x "$bin" ] && [ -x "$ctl" ] || { echo "e2e: $bin or $ctl is not built" >&2; exit 1; }
cluster=$root/scripts/lib/postgres-cluster.sh

work=$(mktemp -d /tmp/scanmilter-e2e-shared.XXXXXX)
chmod 755 "$work"
pid_a=""; pid_b=""; pf_a=""; sink_a=""; pf_b=""; sink_b=""
cleanup() {
  for pid in $pid_a $pid_b; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$pf_b" ]; then pf_dir=$pf_b; pf_sink_pid=$sink_b; pf_teardown; fi
  if [ -n "$pf_a" ]; then pf_dir=$pf_a; pf_sink_pid=$sink_a; pf_teardown; fi
  "$cluster" destroy "$work/pg" >/dev/null 2>&1 || true
  if [ "${KEEP_E2E:-}" = "" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }

echo "e2e: a private PostgreSQL cluster"
"$cluster" start "$work/pg" $$ >/dev/null
# shellcheck disable=SC1091
. "$work/pg/cluster.env"

mkdir -p "$work/db" "$work/msgs"
printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/e2e.ndb"
python3 scripts/e2e/lib/make_messages.py "$work/msgs" > /dev/null

smtp_a=$(free_port); sink_port_a=$(free_port); milter_a=$(free_port); release_a=$(free_port)
smtp_b=$(free_port); sink_port_b=$(free_port); milter_b=$(free_port); release_b=$(free_port)

write_config() {  # write_config NAME MILTER_PORT RELEASE_PORT
  cat > "$work/$1.toml" <<CONF
[milter]
socket = "inet:$2@127.0.0.1"
control_socket = "$work/$1.sock"
timeout = "60s"
[scan]
database_dir = "$work/db"
temp_dir = "$work"
[actions]
infected = "quarantine"
[quarantine]
dir = "$work/local-$1"
store = "$PG_URI"
password_file = "$PG_PASSWORD_FILE"
store_timeout = "5s"
host_name = "$1.example"
release_relay = "127.0.0.1:$3"
[log]
target = "$work/$1.log"
CONF
}
write_config mx-a "$milter_a" "$release_a"
write_config mx-b "$milter_b" "$release_b"
# The third host only looks: a CLI on an admin box with the same store.
printf '[quarantine]\nstore = "%s"\npassword_file = "%s"\n[scan]\ndatabase_dir = "%s"\n' "$PG_URI" "$PG_PASSWORD_FILE" "$work/db" > "$work/admin.toml"

start_milter() {  # start_milter NAME [VAR=value ...] → sets started_pid
  local name=$1; shift
  : > "$work/$name.log"
  env "$@" "$bin" --config "$work/$name.toml" >> "$work/$name.log" 2>&1 &
  started_pid=$!
  for _ in $(seq 1 300); do
    grep -q 'scanmilter ready' "$work/$name.log" && return 0
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "e2e: scanmilter $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
stop_milter() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

send() {  # send SMTP_PORT NAME ID [RCPT] → the reply to DATA (or the refused command)
  local port=$1 name=$2 id=$3 rcpt=${4:-bob@example.net} file="$work/send-$3.eml"
  { printf 'X-E2E-Id: %s\r\n' "$id"; cat "$work/msgs/$name.eml"; } > "$file"
  swaks --server "127.0.0.1:$port" --from alice@example.org --to "$rcpt" --data "$file" --timeout 60 2>&1 \
    | { grep -E '^<(-|\*\*) +[0-9]{3}' || true; } | tail -2 | head -1 | sed -E 's/^<(-|\*\*) +//' || true
}
entries() {  # entries CONFIG [ARGS...] → "id host subject-id" per line
  "$ctl" quarantine list --config "$@" --json 2>/dev/null | python3 -c 'import json,sys
data = json.load(sys.stdin)
for e in (data.get("entries", data) if isinstance(data, dict) else data):
    print(e["id"], e["host"], e["status"])' || true
}
count_in_sinks() {  # count_in_sinks ID → delivered copies in both sinks
  cat "$pf_a"/sink/msg.* "$pf_b"/sink/msg.* 2>/dev/null | grep -c "X-E2E-Id: $1" || true
}

echo "e2e: the daemon never migrates"
status=0
"$bin" --config "$work/mx-a.toml" > "$work/refused.log" 2>&1 || status=$?
[ "$status" = 78 ] && grep -q 'scanmilterctl quarantine init' "$work/refused.log" \
  && pass "no schema: scanmilter exits 78 naming 'scanmilterctl quarantine init'" \
  || fail "scanmilter without a schema exited $status" "$(tail -2 "$work/refused.log")"
out=$("$ctl" quarantine init --config "$work/mx-a.toml" 2>&1) && [[ "$out" == *"migrated to version"* ]] \
  && pass "quarantine init creates the schema: $out" || fail "quarantine init" "$out"
out=$("$ctl" quarantine init --config "$work/mx-b.toml" 2>&1) && [[ "$out" == *"already at version"* ]] \
  && pass "quarantine init again changes nothing" || fail "second quarantine init" "$out"

echo "e2e: two hosts, one quarantine"
pf_setup "$work/postfix-a" "$smtp_a" "$sink_port_a" "inet:127.0.0.1:$milter_a" "$release_a"
pf_a=$pf_dir; sink_a=$pf_sink_pid
pf_setup "$work/postfix-b" "$smtp_b" "$sink_port_b" "inet:127.0.0.1:$milter_b" "$release_b"
pf_b=$pf_dir; sink_b=$pf_sink_pid
start_milter mx-a; pid_a=$started_pid
start_milter mx-b; pid_b=$started_pid

reply=$(send "$smtp_a" eicar-base64 qa1); [[ "$reply" =~ ^250 ]] && pass "host a: infected mail quarantined (250)" || fail "host a reply" "$reply"
reply=$(send "$smtp_b" eicar-base64 qb1); [[ "$reply" =~ ^250 ]] && pass "host b: infected mail quarantined (250)" || fail "host b reply" "$reply"
reply=$(send "$smtp_b" clean cb1); [[ "$reply" =~ ^250 ]] && pass "host b: clean mail accepted" || fail "clean reply" "$reply"
listing=$(entries "$work/admin.toml")
hosts=$(awk '{print $2}' <<< "$listing" | sort | tr '\n' ' ')
[ "$hosts" = "mx-a.example mx-b.example " ] && pass "a third CLI lists both hosts' entries ($hosts)" || fail "hosts listed" "$listing"
only_b=$(entries "$work/admin.toml" --host mx-b.example | wc -l)
[ "$only_b" = 1 ] && pass "list --host mx-b.example shows its one entry" || fail "list --host" "$only_b entries"
counts=$("$ctl" status --config "$work/admin.toml" --json 2>/dev/null | python3 -c 'import json,sys; q=json.load(sys.stdin).get("quarantine") or {}; print(q.get("entries", 0))' || true)
[ "$counts" = 2 ] && pass "status counts the shared store's entries ($counts)" || fail "status quarantine counts" "$counts"

echo "e2e: one message released from two hosts at the same moment"
id=$(awk '$2 == "mx-a.example" {print $1; exit}' <<< "$listing")
"$ctl" quarantine release "$id" --force --reason e2e --config "$work/mx-a.toml" > "$work/rel-a.out" 2>&1 & ra=$!
"$ctl" quarantine release "$id" --force --reason e2e --config "$work/mx-b.toml" > "$work/rel-b.out" 2>&1 & rb=$!
sa=0; sb=0; wait "$ra" || sa=$?; wait "$rb" || sb=$?
if { [ "$sa" = 0 ] && [ "$sb" != 0 ]; } || { [ "$sa" != 0 ] && [ "$sb" = 0 ]; }; then
  pass "exactly one of the two releases succeeded (exit $sa and $sb)"
else fail "releases exited $sa and $sb" "$(cat "$work/rel-a.out" "$work/rel-b.out")"; fi
for _ in $(seq 1 50); do [ "$(count_in_sinks qa1)" -ge 1 ] && break; pf_dir=$pf_a; pf_flush; pf_dir=$pf_b; pf_flush; sleep 0.2; done
sleep 1
copies=$(count_in_sinks qa1)
[ "$copies" = 1 ] && pass "the released message reached a sink once" || fail "released message delivered $copies times"

echo "e2e: PostgreSQL stopped while mail flows"
# Host b becomes a plain relay in front of host a (no milter), so a refused message waits in
# a real Postfix queue, as it would on the sending side.
stop_milter "$pid_b"; pid_b=""
postconf -c "$pf_b/etc" -e "smtpd_milters =" "non_smtpd_milters =" "relayhost = [127.0.0.1]:$smtp_a"
postfix -c "$pf_b/etc" reload >/dev/null 2>&1
sleep 1
"$cluster" stop "$work/pg"
reply=$(send "$smtp_a" eicar-base64 down1)
[[ "$reply" =~ ^4[0-9][0-9] ]] && pass "infected mail straight to host a gets a 4xx: $reply" || fail "reply with the database down" "$reply"
reply=$(send "$smtp_b" eicar-base64 down2 carol@example.net)
[[ "$reply" =~ ^250 ]] && pass "the sending Postfix accepted it for host a" || fail "relay reply" "$reply"
queued=""
for _ in $(seq 1 100); do
  if postqueue -c "$pf_b/etc" -j 2>/dev/null | grep -q '"delay_reason": *"[^"]*4[0-9][0-9]'; then queued=yes; break; fi
  sleep 0.2
done
[ -n "$queued" ] && pass "host a answered 4xx and the message waits in the sender's queue" \
  || fail "message not deferred in the sending queue" "$(postqueue -c "$pf_b/etc" -j)"
before=$(entries "$work/admin.toml" 2>/dev/null | wc -l)
"$cluster" restart "$work/pg"
pf_dir=$pf_b; pf_flush
found=""
for _ in $(seq 1 100); do
  if [ "$(entries "$work/admin.toml" | wc -l)" -gt "$before" ]; then found=yes; break; fi
  sleep 0.3
done
[ -n "$found" ] && pass "after the server is back and Postfix retries, the message is quarantined" \
  || fail "the deferred message was not quarantined" "$(postqueue -c "$pf_b/etc" -j)"
[ -z "$(postqueue -c "$pf_b/etc" -j 2>/dev/null)" ] && pass "the sending queue is empty again" || fail "still queued" "$(postqueue -c "$pf_b/etc" -j)"

echo "e2e: a local store migrated into PostgreSQL"
stop_milter "$pid_a"; pid_a=""
start_milter mx-a SCANMILTER_QUARANTINE_STORE=; pid_a=$started_pid
reply=$(send "$smtp_a" eicar-base64 local1); [[ "$reply" =~ ^250 ]] && pass "with SCANMILTER_QUARANTINE_STORE empty, host a quarantines locally" || fail "local reply" "$reply"
local_id=$(entries "$work/mx-a.toml" --dir "$work/local-mx-a" | awk '{print $1; exit}')
[ -n "$local_id" ] && pass "the local store holds $local_id" || fail "no local entry"
out=$("$ctl" quarantine migrate --config "$work/mx-a.toml" --to "$PG_URI" 2>&1) && [[ "$out" == *"1 copied"* ]] \
  && pass "migrate copies it: $out" || fail "migrate" "$out"
out=$("$ctl" quarantine migrate --config "$work/mx-a.toml" --to "$PG_URI" 2>&1) && [[ "$out" == *"0 copied, 1 already there"* ]] \
  && pass "migrate again copies nothing" || fail "second migrate" "$out"
entries "$work/admin.toml" | grep -q "^$local_id " && pass "the migrated entry is listed in PostgreSQL" || fail "migrated entry not listed"
"$ctl" quarantine show "$local_id" --config "$work/admin.toml" --raw 2>/dev/null | grep -q 'X-E2E-Id: local1' \
  && pass "its message reads back from the chunks" || fail "migrated message unreadable"
[ -n "$(entries "$work/mx-a.toml" --dir "$work/local-mx-a")" ] && pass "the local store is left as it was" || fail "local store changed"
stop_milter "$pid_a"; pid_a=""

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
