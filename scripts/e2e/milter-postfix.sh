#!/usr/bin/env bash
# The Milter library behind real Postfix: sample-milter --report (every callback reports what it
# received in X-Sample-Seen headers) as the smtpd milter of a private Postfix instance
# (scripts/lib/postfix-instance.sh), fed by swaks. Checks what no protocol client can prove:
#   - a folded header reaches the header callback as Postfix sends it (line breaks as LF,
#     continuation white space kept), which MilterClient and MilterTesting copy;
#   - without a macro list Postfix sends {mail_addr} at MAIL; after smfi_setsymlist asks only
#     for {auth_type} at that stage (sample-milter --macro-list), it no longer does.
# Needs root (Postfix), the debug build (scripts/test.sh builds it first) and swaks.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
# shellcheck source=../lib/postfix-instance.sh
source scripts/lib/postfix-instance.sh
work=$(mktemp -d)
chmod 755 "$work"   # postfix must traverse it
milter_pid=
cleanup() {
  [ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null || true
  pf_teardown
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf 'milter-postfix: %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

milter_port=$(free_port)
start_milter() {
  [ -n "$milter_pid" ] && { kill "$milter_pid"; wait "$milter_pid" 2>/dev/null || true; }
  "$root/.build/debug/sample-milter" --socket "inet:$milter_port@127.0.0.1" --report "$@" >"$work/milter.out" 2>>"$work/milter.err" &
  milter_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/milter.out" 2>/dev/null && return 0; sleep 0.1; done
  say "sample-milter did not start: $(cat "$work/milter.err")"
  exit 1
}
# Sends one message with a folded Subject; prints the delivered message.
send() {
  local count=$1
  printf 'Subject: folded\r\n  second line\r\n\tthird\r\nX-Plain: v\r\n\r\nbody\r\n' >"$work/msg"
  swaks --server "127.0.0.1:$smtp_port" --from a@example.com --to b@example.com --data "$work/msg" >"$work/swaks.out" 2>&1 || true
  pf_wait_delivered "$count" 30 || { say "message $count was not delivered"; cat "$work/swaks.out" >&2; exit 1; }
  find "$pf_dir/sink" -type f -name 'msg.*' -newer "$work/msg" | head -1 | xargs cat
}

smtp_port=$(free_port)
sink_port=$(free_port)
start_milter
pf_setup "$work/pf" "$smtp_port" "$sink_port" "inet:127.0.0.1:$milter_port" >/dev/null

first=$(send 1)
grep -qF 'X-Sample-Seen: header Subject:folded\n  second line\n\tthird' <<<"$first" \
  || { say "the folded Subject did not arrive as Postfix's LF folding"; grep -a X-Sample-Seen <<<"$first" >&2; exit 1; }
grep -qF 'X-Sample-Seen: macro {mail_addr}=a@example.com' <<<"$first" \
  || { say "Postfix did not send {mail_addr} without a macro list"; grep -a X-Sample-Seen <<<"$first" >&2; exit 1; }

start_milter --macro-list 'envelopeFrom:{auth_type}'
second=$(send 2)
grep -qF 'X-Sample-Seen: mail <a@example.com>' <<<"$second" || { say "the second message was not reported"; exit 1; }
if grep -qF 'macro {mail_addr}' <<<"$second"; then
  say "Postfix still sent {mail_addr} after the milter asked only for {auth_type}"
  exit 1
fi
say "ok"
