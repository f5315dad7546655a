#!/usr/bin/env bash
# The one test command: installs what the tests need, builds everything (warnings are errors
# for our own code), runs every test, then the end-to-end scripts with real Postfix.
# CI (.ci/run) and the README call exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "test: building (debug, with tests)"
swift build --build-tests 2>&1 | tee "$log" | grep -E 'error:|warning:|Compiling|Build complete' | grep -v '^\[' || true
if ! grep -q 'Build complete' "$log"; then
  tail -50 "$log"
  echo "test: build failed" >&2
  exit 1
fi
# Our own code builds with no warnings (Swift 6 strict concurrency); dependencies may warn.
if grep -E "^$PWD/(Sources|Tests)/.*warning:" "$log"; then
  echo "test: the warnings above are in our code; fix them" >&2
  exit 1
fi

echo "test: unit, wrapper and end-to-end tests (swift test)"
swift test --skip-build

# End-to-end scripts with real daemons; each is self-contained and cleans up after itself.
for e2e in scripts/e2e/*.sh; do
  [ -e "$e2e" ] || continue
  echo "test: $e2e"
  bash "$e2e"
done
