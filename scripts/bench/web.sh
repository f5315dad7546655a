#!/usr/bin/env bash
# Benchmark: the web console's list page and the API's list call on a store of 100,000 entries,
# 4 concurrent clients (wrk, 2 threads), p50/p99 latency. The store lives on /dev/shm so that
# filling it measures nothing of the disk. Prints a table; the README quotes it.
#
#   scripts/bench/web.sh [ENTRIES] [SECONDS]        defaults: 100000 20
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
entries=${1:-100000}; seconds=${2:-20}
# The same release build scripts/package.sh makes (static Swift runtime), so one build serves
# both; BIN_DIR=DIR uses binaries built already.
if [ -z "${BIN_DIR:-}" ]; then
  for product in scanmilterctl web-bench; do swift build -c release --static-swift-stdlib --product "$product" > /dev/null; done
fi
bin=${BIN_DIR:-$(swift build -c release --static-swift-stdlib --show-bin-path)}

work=$(mktemp -d /dev/shm/scanmilter-webbench.XXXXXX)
web_pid=""
cleanup() { [ -n "$web_pid" ] && kill "$web_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

echo "bench web: filling a store with $entries entries"
"$bin/web-bench" fill "$work/quarantine" "$entries" | tail -1
htpasswd -bcB "$work/users" bench 'bench password' 2>/dev/null
head -c 48 /dev/urandom | base64 > "$work/secret"
echo "bench:bench-token-0123456789abcdefghij" > "$work/tokens"
cat > "$work/scanmilter.toml" <<CONF
[quarantine]
dir = "$work/quarantine"
[scan]
database_dir = "$work/nodb"
[web]
listen = "127.0.0.1:$port"
users_file = "$work/users"
secret_file = "$work/secret"
api_tokens_file = "$work/tokens"
CONF
"$bin/scanmilterctl" web --config "$work/scanmilter.toml" > "$work/web.log" 2>&1 &
web_pid=$!
for _ in $(seq 1 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
jar=$work/jar
curl -sS -c "$jar" -b "$jar" "$base/login" > "$work/login.html"
form=$(sed -nE 's/.*name="form" value="([^"]+)".*/\1/p' "$work/login.html")
curl -sS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "form=$form" --data-urlencode user=bench --data-urlencode 'password=bench password' "$base/login"
session=$(awk '$6 == "sm_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "bench web: could not sign in" >&2; cat "$work/web.log" >&2; exit 1; }

run() {  # run LABEL URL HEADER
  local out p50 p99 rps
  out=$(wrk -t2 -c4 -d"${seconds}s" --timeout 60s --latency -H "$3" "$1" 2>&1)
  p50=$(awk '$1 == "50%" { print $2 }' <<< "$out"); p99=$(awk '$1 == "99%" { print $2 }' <<< "$out")
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<< "$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<< "$out")
  printf '| %-44s | %8s | %8s | %8s | %s\n' "$2" "$p50" "$p99" "$rps" "${non2xx:+non-2xx: $non2xx}"
}
echo "| request ($entries entries, 4 connections, ${seconds}s)    |      p50 |      p99 |    req/s |"
echo "| --- | ---: | ---: | ---: |"
run "$base/healthz" "reference: /healthz (the server alone)" "X-Bench: 1"
run "$base/" "list page, newest first (50 rows)" "Cookie: sm_session=$session"
run "$base/?q=order+42&desc=1" "list page, search 'order 42'" "Cookie: sm_session=$session"
run "$base/?order=sender&page=1000" "list page, by sender, page 1000" "Cookie: sm_session=$session"
run "$base/api/messages?limit=50" "API list, newest first (50)" "Authorization: Bearer bench-token-0123456789abcdefghij"
run "$base/api/messages?limit=50&recipient=user42%40" "API list, recipient filter" "Authorization: Bearer bench-token-0123456789abcdefghij"
kill "$web_pid"; wait "$web_pid" 2>/dev/null || true; web_pid=""
echo "reference: the same queries on the store alone, one at a time, no HTTP (median, max of 10)"
"$bin/web-bench" query "$work/quarantine"
