#!/usr/bin/env bash
# End-to-end: policies per recipient ([[override]]) and notifications ([notify]) through a real
# Postfix on loopback, with an smtp-sink as the final destination. Checks: a banned attachment is
# tagged for the lab and rejected for others; a message to both behaves as the README documents
# (refused, and split when the other recipient's policy quarantines); an infected message brings
# the administrators one notification naming the virus and the queue id; a burst of infected
# messages brings at most max_per_minute notifications and then one summary; the hook command
# gets valid JSON and a hostile subject runs nothing; the metrics count overrides and
# notifications. Needs the debug build and scripts/install-deps.sh's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh
source scripts/e2e/lib/workdir.sh

bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}
[ -x "$bin" ] || { echo "e2e policy: $bin is not built" >&2; exit 1; }
burst=${POLICY_BURST:-200}
started=$SECONDS

e2e_workdir policy
chmod 755 "$work"
milter_pid=""
cleanup() {
  [ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null || true
  [ -n "$milter_pid" ] && wait "$milter_pid" 2>/dev/null || true
  pf_teardown
  e2e_cleanup
}
trap cleanup EXIT

smtp_port=$(free_port); sink_port=$(free_port); milter_port=$(free_port); release_port=$(free_port); metrics_port=$(free_port)
mkdir -p "$work/db" "$work/quarantine" "$work/hook"
printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/e2e.ndb"

# The hook: what it gets on stdin, one file per run (argv comes from the configuration only).
cat > "$work/hook.sh" <<'HOOK'
#!/bin/sh
cat > "$1/run.$$.json"
HOOK
chmod 755 "$work/hook.sh"

cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "inet:$milter_port@127.0.0.1"
control_socket = "$work/control.sock"
[scan]
database_dir = "$work/db"
temp_dir = "$work"
[quarantine]
dir = "$work/quarantine"
release_relay = "127.0.0.1:$release_port"
[log]
target = "$work/scanmilter.log"
[metrics]
listen = "127.0.0.1:$metrics_port"
[notify]
admins = ["security@admins.example"]
verdicts = ["infected", "banned"]
recipients = true
max_per_minute = 10
command = ["$work/hook.sh", "$work/hook"]

[[override]]
name = "lab"
recipients = ["@lab.example.org"]
[override.actions]
banned = "tag"

[[override]]
name = "keep"
recipients = ["@.keep.example.net"]
[override.actions]
banned = "quarantine"
CONF

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }
check() { if eval "$2"; then pass "$1"; else fail "$1" "${3:-}"; fi; }

pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" "$release_port"
"$bin" --config "$work/scanmilter.toml" >> "$work/scanmilter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 1 300); do
  grep -q 'scanmilter ready' "$work/scanmilter.log" && break
  kill -0 "$milter_pid" 2>/dev/null || { cat "$work/scanmilter.log" >&2; exit 1; }
  sleep 0.1
done

send() { python3 scripts/e2e/lib/policy_send.py "$smtp_port" "$@"; }
delivered() {  # delivered ID → the sink's copy, waiting up to 10 s
  local f
  for _ in $(seq 1 100); do
    f=$(grep -l "X-E2E-Id: $1" "$pf_dir"/sink/msg.* 2>/dev/null | head -1 || true)
    [ -n "$f" ] && { echo "$f"; return 0; }
    pf_flush; sleep 0.1
  done
  return 1
}
# Notification mails in the sink (all carry Auto-Submitted), and the summaries among them.
notifications() { grep -l '^Auto-Submitted: auto-generated' "$pf_dir"/sink/msg.* 2>/dev/null | { xargs -r grep -L '^Subject: \[scanmilter\] [0-9]* more stopped' || true; } | wc -l; }
summaries() { grep -l '^Subject: \[scanmilter\] [0-9]* more stopped' "$pf_dir"/sink/msg.* 2>/dev/null | wc -l; }

echo "e2e policy: overrides by recipient"
reply=$(send exe lab1 carol@lab.example.org)
check "a banned .exe for the lab is accepted: $reply" '[[ $reply == 250* ]]'
f=$(delivered lab1 || true)
check "the lab's copy carries X-Virus-Status: Banned (...)" 'grep -q "^X-Virus-Status: Banned (.*exe" "${f:-/dev/null}"' \
  "$(grep -i '^x-virus' "${f:-/dev/null}" || echo 'not delivered')"
reply=$(send exe other1 bob@example.net)
check "the same .exe for anyone else is rejected: $reply" '[[ $reply == 550* ]]'
reply=$(send exe both1 carol@lab.example.org,bob@example.net)
check "for the lab and someone else: refused (a refusal wins): $reply" '[[ $reply == 550* ]]'
check "the log line says who got what" \
  'grep -q "mail.recipients=\"<carol@lab.example.org>=tag(lab) <bob@example.net>=reject(default)\"" "$work/scanmilter.log"' \
  "$(grep 'message done' "$work/scanmilter.log" | tail -1)"
reply=$(send exe split1 carol@lab.example.org,dave@sub.keep.example.net)
check "for the lab and a quarantining policy: accepted: $reply" '[[ $reply == 250* ]]'
f=$(delivered split1 || true)
check "the lab's copy is delivered tagged, to the lab alone" \
  'grep -q "^X-Virus-Status: Banned" "${f:-/dev/null}" && grep -q "^X-Rcpt-Args: <carol@lab.example.org>" "${f:-/dev/null}" && ! grep -q "^X-Rcpt-Args: <dave@" "${f:-/dev/null}"' \
  "$(grep -E '^X-(Rcpt|Virus)' "${f:-/dev/null}" || echo 'not delivered')"
entries=$("$ctl" quarantine list --config "$work/scanmilter.toml" --json 2>&1 || true)
qid_entry=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])[0]['id'])" "$entries" 2>/dev/null || true)
check "one quarantine entry, for dave alone, saying who got what" \
  'python3 -c "import json,sys; e=json.loads(sys.argv[1]); assert len(e)==1, e; assert [r[\"address\"] for r in e[0][\"recipients\"]]==[\"dave@sub.keep.example.net\"], e; assert any(f.startswith(\"recipients: \") and \"=tag(lab)\" in f for f in e[0][\"findings\"]), e" "$entries"' \
  "$entries"

echo "e2e policy: notifications and the hook"
for _ in $(seq 1 100); do grep -lq "^Subject: \[scanmilter\] a message for you was held" "$pf_dir"/sink/msg.* 2>/dev/null && break; pf_flush; sleep 0.1; done
r=$(grep -l "^Subject: \[scanmilter\] a message for you was held" "$pf_dir"/sink/msg.* 2>/dev/null | head -1 || true)
check "dave is told his copy was held, with its quarantine id $qid_entry" \
  '[ -n "$qid_entry" ] && grep -q "^X-Rcpt-Args: <dave@sub.keep.example.net>" "${r:-/dev/null}" && grep -q "Quarantine id: $qid_entry" "${r:-/dev/null}"' \
  "$(cat "${r:-/dev/null}" | tail -5)"
hostile='$(touch '"$work"'/pwned) "double" '"'single'"' `tick`'
reply=$(send eicar inf1 bob@example.net "$hostile"$'\r\n'" ;touch $work/pwned2")
check "an infected message is rejected: $reply" '[[ $reply == 550*Scanmilter.E2E.EICAR* ]]'
qid=$(grep 'message done.*scan.verdict=infected' "$work/scanmilter.log" | tail -1 | sed -E 's/.*scanmilter: ([0-9A-F]+): message done.*/\1/')
virus_notices() { grep -l '^Subject: \[scanmilter\] message .*Scanmilter.E2E.EICAR' "$pf_dir"/sink/msg.* 2>/dev/null | wc -l; }
for _ in $(seq 1 100); do [ "$(virus_notices)" -ge 1 ] && break; pf_flush; sleep 0.1; done
n=$(grep -l '^Subject: \[scanmilter\] message .*Scanmilter.E2E.EICAR' "$pf_dir"/sink/msg.* 2>/dev/null | head -1 || true)
check "one notification of the virus reached the sink through the release relay" '[ "$(virus_notices)" = 1 ]' "$(virus_notices) notifications"
check "it names the virus and the queue id $qid" \
  'grep -q "Scanmilter.E2E.EICAR" "${n:-/dev/null}" && [ -n "$qid" ] && grep -q "Queue id: *$qid" "${n:-/dev/null}" && grep -q "^X-Rcpt-Args: <security@admins.example>" "${n:-/dev/null}"' \
  "$(cat "${n:-/dev/null}" | head -30)"
for _ in $(seq 1 50); do ls "$work/hook"/run.*.json >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 1 50); do grep -lq "\"queue_id\":\"$qid\"" "$work/hook"/run.*.json 2>/dev/null && break; sleep 0.1; done
hook_json=$(grep -l "\"queue_id\":\"$qid\"" "$work/hook"/run.*.json 2>/dev/null | head -1 || true)
check "the hook got one valid JSON object with the verdict, the queue id and the subject as data" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verdict\"]==\"infected\" and d[\"queue_id\"]==sys.argv[2] and \"\$(touch\" in d[\"subject\"] and \"\\n\" in d[\"subject\"], d" "${hook_json:-/dev/null}" "$qid"' \
  "$(cat "${hook_json:-/dev/null}")"
check "the hostile subject ran nothing" '[ ! -e "$work/pwned" ] && [ ! -e "$work/pwned2" ]'

# So far: four banned messages (one admin mail each), dave's notice, the virus: 6 mails.
before=$(notifications)
echo "e2e policy: a burst of $burst infected messages (max_per_minute = 10, $before sent so far)"
burst_start=$SECONDS
codes=$(send burst "$burst" bob@example.net)
check "all $burst rejected in $((SECONDS - burst_start)) s: $(echo $codes)" '[ "$codes" = "550 $burst" ]'
sleep 2; pf_flush; sleep 1
check "at most 10 notifications in the minute: $(notifications)" '[ "$(notifications)" = 10 ]'
# The summary goes when the minute that began with the first notification is over.
for _ in $(seq 1 90); do [ "$(summaries)" -ge 1 ] && break; pf_flush; sleep 1; done
s=$(grep -l '^Subject: \[scanmilter\] [0-9]* more stopped' "$pf_dir"/sink/msg.* 2>/dev/null | head -1 || true)
check "then exactly one summary, counting the rest: $(grep -m1 '^Subject:' "${s:-/dev/null}")" \
  '[ "$(summaries)" = 1 ] && [ "$(notifications)" = 10 ] && grep -q "^Subject: \[scanmilter\] $((before + burst - 10)) more" "${s:-/dev/null}"'
hooks=$((burst + 5))   # every notified message: 4 banned, 1 infected, the burst
check "the hook ran once per notified message ($hooks), one at a time, each with valid JSON" \
  '[ "$(ls "$work/hook"/run.*.json | wc -l)" = "$hooks" ] && python3 -c "import json,sys; [json.load(open(f)) for f in sys.argv[1:]]" "$work/hook"/run.*.json' \
  "$(ls "$work/hook" | wc -l) runs"

echo "e2e policy: metrics"
# Python's urllib rather than curl: install-deps.sh does not install curl.
page=$(python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())" "http://127.0.0.1:$metrics_port/metrics")
check "scanmilter_override_messages_total counts the lab's tag" \
  'grep -q "^scanmilter_override_messages_total{action=\"tag\",override=\"lab\"} 3$" <<< "$page"' "$(grep override_messages <<< "$page")"
check "notifications sent and suppressed are counted" \
  'grep -qE "^scanmilter_notifications_total\{channel=\"mail\",result=\"suppressed\"\} [1-9]" <<< "$page" && grep -qE "^scanmilter_notifications_total\{channel=\"command\",result=\"sent\"\} $hooks$" <<< "$page"' \
  "$(grep notifications_total <<< "$page")"
if command -v promtool >/dev/null; then
  check "promtool check metrics accepts the page" 'promtool check metrics <<< "$page" >/dev/null 2>&1' "$(promtool check metrics <<< "$page" 2>&1 | head -5)"
fi

echo "e2e policy: $passed passed, $failed failed in $((SECONDS - started)) s"
[ "$failed" = 0 ]
