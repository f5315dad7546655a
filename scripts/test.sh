#!/usr/bin/env bash
# The one test command: installs what the tests need, fetches ClamAV's signed test databases,
# builds everything (warnings are errors for our own code), runs every test, then the
# end-to-end scripts with real Postfix. CI (.ci/run) and the README call exactly this.
#
# Every stage after the build runs even when an earlier one failed, so one failure hides
# nothing; the summary at the end gives each stage's result, and the exit status is non-zero
# if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# ClamAV's signed test databases (from Debian's clamav source package, cached in .cache/).
# Without them 38 tests would fail one by one; say once what is missing instead.
if ! SCANMILTER_TEST_CVD_DIR=$(scripts/test-cvd/fetch.sh); then
  echo "test: stopped before building: the ClamAV test databases are missing (see the line above)" >&2
  exit 1
fi
export SCANMILTER_TEST_CVD_DIR

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

results=()
passed=0
failed=0
# Runs one stage, records its result and duration, and never stops the script.
stage() {
  local name=$1 start status
  shift
  echo "test: $name"
  start=$SECONDS
  set +e
  "$@"
  status=$?
  set -e
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1)); results+=("  ok      $name ($((SECONDS - start)) s)")
  else
    failed=$((failed + 1)); results+=("  FAILED  $name (exit $status, $((SECONDS - start)) s)")
  fi
}

stage "swift test (unit, wrapper and process tests)" swift test --skip-build
# The Debian package from a release build; scripts/e2e/package.sh installs it in a fresh root.
stage "scripts/package.sh (release build, .deb, lintian)" scripts/package.sh
# End-to-end scripts with real daemons; each is self-contained and cleans up after itself.
for e2e in scripts/e2e/*.sh; do
  [ -e "$e2e" ] || continue
  stage "$e2e" bash "$e2e"
done

echo
echo "test: results"
printf '%s\n' "${results[@]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
