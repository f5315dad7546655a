#!/usr/bin/env bash
# End-to-end: the quarantine web console (scanmilterctl web) on messages held through real
# Postfix and the real daemon. Headless Chromium (Selenium) signs in, searches, opens a hostile
# message and releases it; the SMTP sink must get it exactly once and nothing in the page may
# run or load anything remote. Then: security headers, CSRF, schemathesis against the served
# OpenAPI document, recipient digests and their links (tampered, expired, reused), metrics.
# Screenshots: .cache/web-screenshots/. Needs the debug build and install-deps.sh's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/postfix-instance.sh

bin=${SCANMILTER_BIN:-$root/.build/debug/scanmilter}
ctl=${SCANMILTERCTL_BIN:-$(dirname "$bin")/scanmilterctl}
[ -x "$bin" ] && [ -x "$ctl" ] || { echo "e2e: $bin or $ctl is not built" >&2; exit 1; }

# Selenium and schemathesis from PyPI, in a venv under .cache/ (made once).
venv=$root/.cache/web-venv
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet selenium schemathesis
fi

work=$(mktemp -d /tmp/scanmilter-web.XXXXXX)
chmod 755 "$work"
shots=$root/.cache/web-screenshots
rm -rf "$shots"; mkdir -p "$shots"
milter_pid=""; web_pid=""; beacon_pid=""
cleanup() {
  for pid in $web_pid $milter_pid $beacon_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pf_teardown
  if [ "${KEEP_E2E:-}" = "" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
smtp_port=$(free_port); sink_port=$(free_port); milter_port=$(free_port); release_port=$(free_port)
web_port=$(free_port); beacon_port=$(free_port)
base="http://127.0.0.1:$web_port"

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; if [ -n "${2:-}" ]; then echo "       $2"; fi; return 0; }
check() { if eval "$2"; then pass "$1"; else fail "$1" "${3:-}"; fi; }

mkdir -p "$work/db" "$work/msgs" "$work/quarantine"
printf 'Scanmilter.E2E.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/e2e.ndb"
# A beacon: any request to it means the console let a message load something remote.
python3 -m http.server "$beacon_port" --bind 127.0.0.1 --directory "$work/msgs" > "$work/beacon.log" 2>&1 &
beacon_pid=$!
python3 scripts/e2e/lib/web_messages.py "$work/msgs" "http://127.0.0.1:$beacon_port"

htpasswd -bcB "$work/users" admin 'correct horse battery' 2> /dev/null
head -c 48 /dev/urandom | base64 > "$work/secret"
echo "scripts:e2e-token-0123456789abcdefghij" > "$work/tokens"
cat > "$work/scanmilter.toml" <<CONF
[milter]
socket = "inet:$milter_port@127.0.0.1"
control_socket = "$work/control.sock"
[scan]
database_dir = "$work/db"
temp_dir = "$work"
[actions]
infected = "quarantine"
banned = "quarantine"
[quarantine]
dir = "$work/quarantine"
release_relay = "127.0.0.1:$release_port"
[log]
target = "$work/scanmilter.log"
[web]
listen = "127.0.0.1:$web_port"
users_file = "$work/users"
secret_file = "$work/secret"
api_tokens_file = "$work/tokens"
digest_sender = "quarantine@example.org"
CONF

pf_setup "$work/postfix" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" "$release_port"
"$bin" --config "$work/scanmilter.toml" >> "$work/scanmilter.log" 2>&1 &
milter_pid=$!
for _ in $(seq 1 300); do grep -q 'scanmilter ready' "$work/scanmilter.log" && break; sleep 0.1; done

echo "e2e web: messages held through Postfix"
send() {  # send FILE ID RCPT...
  local file=$1 id=$2; shift 2
  { printf 'X-E2E-Id: %s\r\n' "$id"; cat "$file"; } > "$work/send-$id.eml"
  local to; to=$(IFS=,; echo "$*")
  swaks --server "127.0.0.1:$smtp_port" --from alice@example.org --to "$to" --data "$work/send-$id.eml" --timeout 60 2>&1 \
    | grep -E '^<(-|\*\*) +[0-9]{3}' | tail -2 | head -1 | sed -E 's/^<(-|\*\*) +//' || true
}
reply=$(send "$work/msgs/hostile-virus.eml" hv1 bob@example.net)
check "the hostile infected message is accepted by Postfix (quarantined): $reply" '[[ "$reply" =~ ^250 ]]'
reply=$(send "$work/msgs/banned.eml" bn1 bob@example.net carol@example.net)
check "the banned message to two recipients is accepted (quarantined): $reply" '[[ "$reply" =~ ^250 ]]'
count=$("$ctl" quarantine list --config "$work/scanmilter.toml" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "the store holds both ($count)" '[ "$count" = 2 ]'

"$ctl" web --config "$work/scanmilter.toml" > "$work/web.log" 2>&1 &
web_pid=$!
for _ in $(seq 1 100); do curl -fsS "$base/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
check "scanmilterctl web serves $base" 'curl -fsS "$base/healthz" > /dev/null' "$(tail -5 "$work/web.log")"

echo "e2e web: the browser"
if "$venv/bin/python" scripts/e2e/lib/web_browser.py "$base" admin 'correct horse battery' "$shots"; then
  pass "browser session"
else
  fail "browser session (see the FAIL lines above)"
fi
released=$(grep -l "X-E2E-Id: hv1" "$pf_dir"/sink/msg.* 2>/dev/null | wc -l || true)
for _ in $(seq 1 50); do [ "$released" -ge 1 ] && break; sleep 0.2; pf_flush; released=$(grep -l "X-E2E-Id: hv1" "$pf_dir"/sink/msg.* 2>/dev/null | wc -l || true); done
sleep 1; released=$(grep -l "X-E2E-Id: hv1" "$pf_dir"/sink/msg.* 2>/dev/null | wc -l || true)
check "the sink received the released message exactly once ($released)" '[ "$released" = 1 ]'
beacon_hits=$(grep -c 'GET ' "$work/beacon.log" || true)
check "nothing remote was loaded while the messages were shown ($beacon_hits requests)" '[ "$beacon_hits" = 0 ]' "$(cat "$work/beacon.log")"

echo "e2e web: headers, cookies, CSRF"
headers=$(curl -sS -D - -o /dev/null "$base/login")
check "CSP default-src 'none' without script sources" 'grep -qi "^content-security-policy: default-src '"'"'none'"'"'; style-src '"'"'self'"'"'" <<< "$headers" && ! grep -qi "script-src" <<< "$headers"' "$headers"
check "login cookie HttpOnly; SameSite=Strict" 'grep -qi "^set-cookie: sm_login=.*HttpOnly; SameSite=Strict" <<< "$headers"' "$headers"
check "X-Content-Type-Options nosniff and no framing" 'grep -qi "^x-content-type-options: nosniff" <<< "$headers" && grep -qi "^x-frame-options: DENY" <<< "$headers"'
# Sign in with curl, then post without the CSRF token and with a wrong one.
jar=$work/jar
curl -sS -c "$jar" -b "$jar" "$base/login" > "$work/login.html"
form=$(sed -nE 's/.*name="form" value="([^"]+)".*/\1/p' "$work/login.html")
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "form=$form" --data-urlencode user=admin --data-urlencode 'password=correct horse battery' "$base/login")
check "curl signs in (303)" '[ "$code" = 303 ]' "$code"
banned_id=$("$ctl" quarantine list --config "$work/scanmilter.toml" --json | python3 -c 'import json,sys; print(next(e["id"] for e in json.load(sys.stdin) if e["verdict"].startswith("Banned")))')
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" --data reason=x "$base/messages/$banned_id/delete")
check "a delete without a CSRF token is refused (403)" '[ "$code" = 403 ]' "$code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" --data 'reason=x&csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' "$base/messages/$banned_id/delete")
check "a delete with a wrong CSRF token is refused (403)" '[ "$code" = 403 ]' "$code"
status=$("$ctl" quarantine show "$banned_id" --config "$work/scanmilter.toml" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
check "the entry is still held after both ($status)" '[ "$status" = held ]'
raw_headers=$(curl -sS -D - -o "$work/raw.eml" -b "$jar" "$base/messages/$banned_id/raw")
check "the raw message downloads as an attachment" 'grep -qi "^content-disposition: attachment" <<< "$raw_headers" && grep -qi "^content-type: application/octet-stream" <<< "$raw_headers"' "$raw_headers"
code=$(curl -sS -o /dev/null -w '%{http_code}' -u admin:wrong "$base/api/stats")
check "the API refuses a wrong password (401)" '[ "$code" = 401 ]' "$code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer e2e-token-0123456789abcdefghij' "$base/api/messages?q=Salaries")
check "the API takes a bearer token (200)" '[ "$code" = 200 ]' "$code"

echo "e2e web: recipient digests"
out=$("$ctl" web --send-digests --config "$work/scanmilter.toml" 2>&1) || true
check "send-digests: $out" '[[ "$out" == "digests sent: 2, failed: 0" ]]'
digest_for() { grep -l "^To: <$1>" "$pf_dir"/sink/msg.* 2>/dev/null | xargs -r grep -l '^Subject: Quarantined mail for you' || true; }
for _ in $(seq 1 50); do [ -n "$(digest_for carol@example.net)" ] && [ -n "$(digest_for bob@example.net)" ] && break; sleep 0.2; pf_flush; done
check "the sink got one digest for bob" '[ "$(digest_for bob@example.net | wc -l)" = 1 ]' "$(digest_for bob@example.net)"
check "the sink got one digest for carol" '[ "$(digest_for carol@example.net | wc -l)" = 1 ]'
carol=$(digest_for carol@example.net)
link=$(sed -nE 's/^Release: +(http[^ ]+)\r?$/\1/p' "$carol" | head -1 | tr -d '\r')
check "carol's digest has a release link for the banned message" '[[ "$link" == "$base/link?e=$banned_id&"* ]]' "$link"
query=${link#*\?}
get_code() { curl -sS -o "$work/link.html" -w '%{http_code}' "$base/link?$1"; }
post_code() { curl -sS -o "$work/link.html" -w '%{http_code}' --data "$1" "$base/link"; }
tampered=$(sed -E 's/&a=release/\&a=delete/' <<< "$query")
check "a tampered link (action changed) is refused" '[ "$(post_code "$tampered")" = 403 ]'
tampered=$(sed -E 's/(&s=.)./\1A/' <<< "$query")
[ "$tampered" = "$query" ] && tampered=$(sed -E 's/(&s=.)./\1B/' <<< "$query")
check "a tampered link (signature changed) is refused" '[ "$(post_code "$tampered")" = 403 ]'
check "opening the link shows a confirmation and changes nothing" '[ "$(get_code "$query")" = 200 ] && grep -q "Release it to me" "$work/link.html"'
before=$(grep -l "X-E2E-Id: bn1" "$pf_dir"/sink/msg.* 2>/dev/null | wc -l || true)
check "confirming the link releases the message" '[ "$(post_code "$query")" = 200 ] && grep -q "on its way" "$work/link.html"' "$(cat "$work/link.html")"
for _ in $(seq 1 50); do [ "$(grep -l "X-E2E-Id: bn1" "$pf_dir"/sink/msg.* 2>/dev/null | wc -l)" -gt "$before" ] && break; sleep 0.2; pf_flush; done
sleep 1
copies=$(grep -l "X-E2E-Id: bn1" "$pf_dir"/sink/msg.* 2>/dev/null | xargs -r grep -l '^X-Original-To: carol@example.net\|carol@example.net' | wc -l || true)
check "the sink got the banned message once, for carol ($copies)" '[ "$copies" = 1 ]'
check "the same link a second time is refused" '[ "$(post_code "$query")" = 403 ]'
# An expired link: a digest made with a 1 s lifetime (one more message held for bob first).
reply=$(send "$work/msgs/banned.eml" bn2 bob@example.net)
SCANMILTER_WEB_LINK_LIFETIME=1 "$ctl" web --send-digests --config "$work/scanmilter.toml" > /dev/null 2>&1 || true
sleep 2.2
expired=""
for _ in $(seq 1 50); do [ "$(digest_for bob@example.net | wc -l)" -ge 2 ] && break; sleep 0.2; pf_flush; done
newest=$(ls -t $(digest_for bob@example.net) | head -1)
expired=$(sed -nE 's/^Delete: +http[^?]+\?([^ ]+)\r?$/\1/p' "$newest" | tr -d '\r' | head -1)
check "an expired link is refused" '[ -n "$expired" ] && [ "$(post_code "$expired")" = 403 ] && grep -q "expired" "$work/link.html"'
refusals=$("$ctl" quarantine audit --config "$work/scanmilter.toml" --json 2>/dev/null | python3 -c '
import json, sys
records = json.load(sys.stdin)
print(" ".join(sorted({r["detail"] for r in records if r["action"] == "link-refused"})))')
check "refused links are in the audit log ($refusals)" '[[ "$refusals" == *bad-signature* && "$refusals" == *expired* && "$refusals" == *reused* ]]'

echo "e2e web: bulk delete"
ids=$("$ctl" quarantine list --config "$work/scanmilter.toml" --json | python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(sys.stdin) if e["status"] == "released"))')
csrf=$(curl -sS -b "$jar" "$base/" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -1)
args=(--data-urlencode "csrf=$csrf" --data-urlencode action=delete --data-urlencode "reason=e2e bulk")
for id in $ids; do args+=(--data-urlencode "id=$id"); done
location=$(curl -sS -o /dev/null -w '%{redirect_url}' -b "$jar" "${args[@]}" "$base/bulk")
check "a bulk delete of $(wc -w <<< "$ids") entries reports them all done ($location)" '[[ "$location" == *"n=bulk&ok=$(wc -w <<< "$ids")&failed=0" ]]'
left=$("$ctl" quarantine list --config "$work/scanmilter.toml" --status released --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "no released entry is left after it ($left); the held one stays for the API fuzzing" '[ "$left" = 0 ] && [ "$(wc -w <<< "$ids")" -ge 2 ]'

echo "e2e web: the API against its OpenAPI document (schemathesis)"
# From the work folder: schemathesis leaves a .schemathesis/ cache where it runs.
if (cd "$work" && timeout 240 "$venv/bin/schemathesis" run "$base/api/openapi.yaml" -a admin:'correct horse battery' \
    -c not_a_server_error -n 20 > "$work/schemathesis.log" 2>&1); then
  grep -E "^(Summary|.*passed|.*operations)" "$work/schemathesis.log" | head -3 | sed 's/^/       /' || true
  pass "schemathesis: no server error on any operation"
else
  fail "schemathesis" "$(tail -30 "$work/schemathesis.log")"
fi

echo "e2e web: metrics"
metrics=$(curl -sS "$base/metrics")
check "sign-ins counted (good and failed)" 'grep -qE "^scanmilter_web_sign_ins_total\{result=\"good\"\} [1-9]" <<< "$metrics" && grep -qE "^scanmilter_web_sign_ins_total\{result=\"failed\"\} [1-9]" <<< "$metrics"' "$metrics"
check "releases counted" 'grep -qE "^scanmilter_web_releases_total\{via=\"console\",result=\"released\"\} 1" <<< "$metrics" && grep -qE "^scanmilter_web_releases_total\{via=\"link\",result=\"released\"\} 1" <<< "$metrics"' "$metrics"
check "link refusals counted" 'grep -qE "^scanmilter_web_link_refusals_total\{reason=\"bad-signature\"\} 2" <<< "$metrics"' "$metrics"

echo "e2e web: $passed passed, $failed failed; screenshots in $shots"
[ "$failed" = 0 ]
