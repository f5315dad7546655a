#!/usr/bin/env bash
# The quarantine benchmark of issue 16: messages/s and p50/p99 latency at CONNECTIONS milter
# connections (default 8) with every message infected, for 20 KB and 5 MB messages, three ways
# in one run: tagged (the infected action is tag: no store, the reference), quarantined into
# the local store (SQLite + files), and quarantined into PostgreSQL 15 on loopback (a private
# cluster, scripts/lib/postgres-cluster.sh). Targets: PostgreSQL's p99 at most 1.5x the local
# store's; quarantining at least 0.8x the messages/s of tagging.
#
# usage (as root): scripts/bench/quarantine.sh   [DURATION=seconds per run, default 15]
# scripts/bench.sh runs it as its part "quarantine"; BIN names the release binaries' folder.
# Prints a markdown table; benchmarks are figures beside references, never pass/fail tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-15}
if [ -z "${BIN:-}" ]; then
  for product in scanmilter scanmilterctl milter-load; do
    swift build -c release --product "$product" 2>&1 | grep -E 'error|warning: ' || true
  done
  BIN=$(swift build -c release --show-bin-path)
fi
cluster=$root/scripts/lib/postgres-cluster.sh

work=$(mktemp -d /tmp/scanmilter-bench-quarantine.XXXXXX)
chmod 755 "$work"
pid=""
cleanup() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  "$cluster" destroy "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

"$cluster" start "$work/pg" $$ >/dev/null
# shellcheck disable=SC1091
. "$work/pg/cluster.env"
mkdir -p "$work/db" "$work/tmp" "$work/results"
printf 'Bench.EICAR:0:*:%s\n' "$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" > "$work/db/bench.ndb"

# Infected messages of about 20 KB and 5 MB: text, a filler attachment, and EICAR.
python3 - "$work" <<'PY'
import base64, os, sys
from email.message import EmailMessage
work = sys.argv[1]
eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
for name, size in (("20k", 20_000), ("5m", 5_000_000)):
    os.makedirs(f"{work}/corpus-{name}", exist_ok=True)
    for n in range(4):
        m = EmailMessage()
        m["From"] = "sender@example.net"; m["To"] = "rcpt@example.org"; m["Subject"] = f"bench {name} {n}"
        m.set_content("Hello.\n" * 20)
        m.add_attachment(os.urandom(int(size * 0.74)), maintype="application", subtype="octet-stream", filename="data.bin")
        m.add_attachment(eicar, maintype="application", subtype="octet-stream", filename="eicar.com")
        with open(f"{work}/corpus-{name}/eicar-{n}.eml", "wb") as f:
            f.write(bytes(m))
PY

config() {  # config NAME ACTION STORE
  cat > "$work/$1.toml" <<CONF
[milter]
socket = "unix:$work/$1.sock"
control_socket = ""
[scan]
database_dir = "$work/db"
max_message_size = "20MB"
temp_dir = "$work/tmp"
disable_cache = true
[actions]
infected = "$2"
[quarantine]
dir = "$work/quarantine-$1"
store = "$3"
password_file = "$PG_PASSWORD_FILE"
max_age = 0
[log]
target = "$work/$1.log"
level = "notice"
CONF
}
"$BIN/scanmilterctl" quarantine init --config <(printf '[quarantine]\nstore = "%s"\npassword_file = "%s"\n' "$PG_URI" "$PG_PASSWORD_FILE") >&2

run() {  # run NAME SIZE ACTION STORE
  local name=$1-$2
  config "$name" "$3" "$4"
  "$BIN/scanmilter" --config "$work/$name.toml" > "$work/$name.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q 'ready' "$work/$name.log" 2>/dev/null && break; sleep 0.1; done
  "$BIN/milter-load" --socket "unix:$work/$name.sock" --corpus "$work/corpus-$2" --connections "$CONNECTIONS" \
    --duration "$DURATION" --pid "$pid" --json > "$work/results/$name.json" || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  python3 - "$work/results/$name.json" "$name" >&2 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("bench:   {}: {:.1f} msg/s, p50 {:.1f} ms, p99 {:.1f} ms, errors {}".format(
    sys.argv[2], r["messagesPerSecond"], r["latencyMilliseconds"]["p50"], r["latencyMilliseconds"]["p99"], r["errorCount"]))
PY
}

for size in 20k 5m; do
  log "$size messages, $CONNECTIONS connections, ${DURATION}s each"
  run tag "$size" tag ""
  run local "$size" quarantine ""
  run postgres "$size" quarantine "$PG_URI"
done

python3 - "$work/results" "$CONNECTIONS" "$DURATION" <<'PY'
import json, sys
results, connections, duration = sys.argv[1], sys.argv[2], sys.argv[3]
print(f"Every message infected, {connections} milter connections, {duration} s per run (scripts/bench/quarantine.sh)\n")
print("| message | infected action | msg/s | p50 ms | p99 ms | errors | msg/s vs tag | p99 vs local |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for size in ("20k", "5m"):
    r = {k: json.load(open(f"{results}/{k}-{size}.json")) for k in ("tag", "local", "postgres")}
    for kind, label in (("tag", "tag (no store)"), ("local", "quarantine, local store"), ("postgres", "quarantine, PostgreSQL")):
        x = r[kind]; l = x["latencyMilliseconds"]
        vs_tag = x["messagesPerSecond"] / max(r["tag"]["messagesPerSecond"], 1e-9)
        vs_local = l["p99"] / max(r["local"]["latencyMilliseconds"]["p99"], 1e-9)
        print(f"| {size.upper().replace('K', ' KB').replace('M', ' MB')} | {label} | {x['messagesPerSecond']:.1f} | {l['p50']:.1f} | {l['p99']:.1f} | {x['errorCount']} | {vs_tag:.2f}x | {vs_local:.2f}x |")
PY
