#!/usr/bin/env bash
# Sets up and runs scanmilter on a fresh Debian 12 machine, in the foreground:
# installs the system packages, builds (release), fetches signatures, and listens for Postfix
# with the sample configuration (conf/scanmilter.toml) on inet:8890@127.0.0.1.
#
# State (signatures, quarantine, control socket, pidfile) lives in $SCANMILTER_HOME
# (default: .run/ in this checkout), so nothing outside the checkout is touched. Any key of the
# configuration can be overridden as SCANMILTER_<SECTION>_<KEY>, e.g.
#   SCANMILTER_MILTER_SOCKET=unix:/run/scanmilter/scanmilter.sock scripts/run.sh
# Where no signatures can be fetched (no network), it says so and starts on a small DEMO
# database it writes itself (only the EICAR test file is detected), labelled as such in the log
# and in every X-Virus-Scanned header.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product scanmilter
swift build -c release --product scanmilterctl
bin=$(swift build -c release --show-bin-path)

home=${SCANMILTER_HOME:-$PWD/.run}
mkdir -p "$home/db" "$home/quarantine"
export SCANMILTER_SCAN_DATABASE_DIR=${SCANMILTER_SCAN_DATABASE_DIR:-$home/db}
export SCANMILTER_QUARANTINE_DIR=${SCANMILTER_QUARANTINE_DIR:-$home/quarantine}
export SCANMILTER_MILTER_CONTROL_SOCKET=${SCANMILTER_MILTER_CONTROL_SOCKET:-$home/control.sock}
export SCANMILTER_MILTER_PIDFILE=${SCANMILTER_MILTER_PIDFILE:-$home/scanmilter.pid}
config=${SCANMILTER_CONFIG:-conf/scanmilter.toml}
db=$SCANMILTER_SCAN_DATABASE_DIR

has_signatures() {
  find "$db" -maxdepth 1 -type f \( -name '*.cvd' -o -name '*.cld' -o -name '*.cud' -o -name '*.ndb' -o -name '*.hdb' \
    -o -name '*.ldb' -o -name '*.hsb' -o -name '*.mdb' \) ! -name scanmilter-demo.ndb | grep -q .
}

if ! has_signatures; then
  echo "run: fetching signatures into $db"
  if "$bin/scanmilterctl" update --config "$config" 2>&1 && has_signatures; then
    rm -f "$db/scanmilter-demo.ndb"
  else
    echo "run: NO SIGNATURES could be fetched (no network, or the mirror refused)."
    echo "run: starting on a DEMO database that detects only the EICAR test file."
    echo "run: run '$bin/scanmilterctl update --config $config' once the network works."
    hex=$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')
    printf 'Scanmilter.Demo.EICAR:0:*:%s\n' "$hex" > "$db/scanmilter-demo.ndb"
  fi
fi

echo "run: scanmilter on ${SCANMILTER_MILTER_SOCKET:-$(sed -nE 's/^socket = "([^"]+)".*/\1/p' "$config" | head -1)} (Ctrl-C stops it)"
exec "$bin/scanmilter" --config "$config"
