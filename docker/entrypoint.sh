#!/bin/sh
# The container's entrypoint: makes sure there are signatures, then runs scanmilter in the
# foreground (so it is PID 1's only child and gets SIGTERM on `docker stop`).
#
# On a first start with an empty signature volume it runs `scanmilterctl update`. If that cannot
# fetch signatures (no network, mirror refused) it says so and exits 75 (EX_TEMPFAIL), unless
# SCANMILTER_DEMO_DATABASE=1 asks to start on a demo database that detects only the EICAR test
# file (the log and every X-Virus-Scanned header then say DEMO).
#
# Environment: SCANMILTER_CONFIG (default /etc/scanmilter/scanmilter.toml), SCANMILTER_DEMO_DATABASE,
# SCANMILTER_BIN (directory of the binaries, default: found on PATH), and any configuration key as
# SCANMILTER_<SECTION>_<KEY> (read by scanmilter itself; SCANMILTER_SCAN_DATABASE_DIR also here).
set -eu

config=${SCANMILTER_CONFIG:-/etc/scanmilter/scanmilter.toml}
bin=${SCANMILTER_BIN:-}
scanmilter=${bin:+$bin/}scanmilter
scanmilterctl=${bin:+$bin/}scanmilterctl

say() { echo "entrypoint: $*" >&2; }

if [ ! -r "$config" ]; then
  say "cannot read the configuration $config (mount one, or set SCANMILTER_CONFIG)"
  exit 78
fi

# [scan] database_dir from the environment, else from the configuration file.
db=${SCANMILTER_SCAN_DATABASE_DIR:-$(sed -nE '/^\[scan\]/,/^\[/ s/^database_dir *= *"([^"]*)".*/\1/p' "$config" | head -1)}
db=${db:-/var/lib/clamav}

has_signatures() {
  [ -d "$db" ] && find "$db" -maxdepth 1 -type f \( -name '*.cvd' -o -name '*.cld' -o -name '*.cud' -o -name '*.ndb' \
    -o -name '*.hdb' -o -name '*.ldb' -o -name '*.hsb' -o -name '*.mdb' \) ! -name scanmilter-demo.ndb | grep -q .
}

if ! has_signatures; then
  say "no signatures in $db: running scanmilterctl update (first start)"
  if "$scanmilterctl" update --config "$config" >&2 && has_signatures; then
    rm -f "$db/scanmilter-demo.ndb"
    say "signatures installed in $db"
  elif [ "${SCANMILTER_DEMO_DATABASE:-}" = 1 ]; then
    say "NO SIGNATURES could be fetched; SCANMILTER_DEMO_DATABASE=1: starting on a DEMO database"
    say "that detects ONLY the EICAR test file. Do not use this for real mail."
    mkdir -p "$db"
    hex=$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')
    printf 'Scanmilter.Demo.EICAR:0:*:%s\n' "$hex" > "$db/scanmilter-demo.ndb"
  else
    say "NO SIGNATURES: $db is empty and 'scanmilterctl update' could not fetch any (see above)."
    say "Fix one of: let the container reach database.clamav.net (or set [update] private_mirror);"
    say "mount a volume with signature files (.cvd/.cld/.ndb...) at $db;"
    say "or set SCANMILTER_DEMO_DATABASE=1 to try scanmilter with a database that detects only EICAR."
    exit 75
  fi
fi

exec "$scanmilter" --config "$config" "$@"
