#!/usr/bin/env bash
# Supplies ClamAV's signed test databases (test-1.cvd … test-6.cvd, test-2.cdiff … test-6.cdiff)
# that the updater, CLI and engine tests use, and prints the directory that holds them.
#
# They are ClamAV's own data (GPL-2.0; each CVD carries its licence), signed with the official
# CVD key, and ship in Debian's *source* package of clamav under
# unit_tests/input/freshclam_testfiles/. We do not commit them: this script fetches that source
# package from Debian's archive with a private apt configuration (the system's sources and lists
# are not touched), extracts only those files into .cache/clamav-test-cvd/ (git-ignored), and
# checks each against scripts/test-cvd/SHA256SUMS. A second run finds the cache and downloads
# nothing.
#
# SCANMILTER_TEST_CVD_DIR=DIR uses DIR instead (checked against the same sums, never written).
# SCANMILTER_TEST_CVD_MIRROR=URL fetches from another Debian mirror (default: the one apt uses).
#
# Output: the directory on stdout; progress and errors on stderr. Exit 0, or 69 with one line
# naming the missing files and what to do.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sums="$root/scripts/test-cvd/SHA256SUMS"
mapfile -t files < <(awk '{print $2}' "$sums")

say() { printf 'test-cvd: %s\n' "$*" >&2; }

# Prints the files of $1 that are missing or whose SHA-256 differs from SHA256SUMS.
bad_files() {
  local dir=$1 f want got
  for f in "${files[@]}"; do
    want=$(awk -v f="$f" '$2 == f {print $1}' "$sums")
    if [ -f "$dir/$f" ]; then
      got=$(sha256sum "$dir/$f" | awk '{print $1}')
    else
      got=""
    fi
    [ "$got" = "$want" ] || printf '%s\n' "$f"
  done
}

fail() {
  # One line: what is missing, where it was looked for, and how to supply it.
  local dir=$1 reason=$2 missing
  missing=$(bad_files "$dir" | tr '\n' ' ')
  printf 'test-cvd: ClamAV test databases missing or wrong in %s: %s(%s). Supply them with SCANMILTER_TEST_CVD_DIR=DIR (a directory holding these files, from Debian'"'"'s clamav source package, unit_tests/input/freshclam_testfiles/) or make Debian'"'"'s archive reachable and run scripts/test-cvd/fetch.sh again.\n' \
    "$dir" "$missing" "$reason" >&2
  exit 69
}

if [ -n "${SCANMILTER_TEST_CVD_DIR:-}" ]; then
  dir=$SCANMILTER_TEST_CVD_DIR
  [ -z "$(bad_files "$dir")" ] || fail "$dir" "SCANMILTER_TEST_CVD_DIR is set"
  printf '%s\n' "$dir"
  exit 0
fi

cache="$root/.cache/clamav-test-cvd"
if [ -d "$cache" ] && [ -z "$(bad_files "$cache")" ]; then
  printf '%s\n' "$cache"
  exit 0
fi

# --- fetch Debian's clamav source package with a private apt configuration ---
mirror=${SCANMILTER_TEST_CVD_MIRROR:-}
if [ -z "$mirror" ]; then
  # The mirror the system already uses for bookworm (deb822 or one-line format).
  mirror=$(grep -hoE '(URIs:|deb)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
             /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
           awk '{print $2}' | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || fail "$cache" "no Debian archive keyring at $keyring"
command -v apt-get >/dev/null || fail "$cache" "apt-get not found"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial" "$work/archives/partial" "$work/src"
cat >"$work/parts/debian-src.sources" <<SOURCES
Types: deb-src
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: $keyring
SOURCES
apt_opts=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o "APT::Sandbox::User=root" -o "Acquire::Retries=2" -o "Acquire::http::Timeout=30"
)
say "fetching Debian's clamav source package from $mirror (once; cached in .cache/)"
if ! apt-get "${apt_opts[@]}" -qq update >"$work/apt.log" 2>&1 ||
   grep -qE '^(E|W): (Failed|Some index files failed)' "$work/apt.log"; then
  fail "$cache" "apt-get update of the deb-src index at $mirror failed: $(grep -m1 -E '^(E|W):' "$work/apt.log" | cut -c4-)"
fi
if ! (cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only clamav >"$work/apt.log" 2>&1); then
  fail "$cache" "apt-get source --download-only clamav from $mirror failed: $(grep -m1 -E '^(E|W):' "$work/apt.log" | cut -c4-)"
fi
orig=$(ls "$work"/src/clamav_*.orig.tar.* 2>/dev/null | head -1 || true)
[ -n "$orig" ] || fail "$cache" "the clamav source package has no orig tarball"

mkdir -p "$work/x"
tar -C "$work/x" -xf "$orig" --wildcards '*/unit_tests/input/freshclam_testfiles/*' 2>/dev/null ||
  fail "$cache" "$(basename "$orig") holds no unit_tests/input/freshclam_testfiles/"
found=$(find "$work/x" -type d -name freshclam_testfiles | head -1)
mkdir -p "$cache"
for f in "${files[@]}"; do
  [ -f "$found/$f" ] && install -m 0644 "$found/$f" "$cache/$f"
done
[ -z "$(bad_files "$cache")" ] || fail "$cache" "extracted from $(basename "$orig") but the checksums differ"
say "$(printf '%s\n' "${files[@]}" | wc -l) files verified into $cache"
printf '%s\n' "$cache"
