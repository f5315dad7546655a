#!/usr/bin/env bash
# Fuzzes the MIME parser for a bounded time, with one of two engines:
#
#   ENGINE=mutation (default)  `mime-bench fuzz` (release build): structure-aware mutations of
#       the corpus messages (byte flips, MIME token insertion, boundary and header splicing,
#       truncation, duplication, nesting, repetition, line-ending changes); each input is parsed
#       and every leaf of every reading decoded.
#   ENGINE=libfuzzer  scripts/mime/fuzz/MIMEFuzzHarness.swift compiled with swiftc together
#       with Sources/MIME (no Package.swift target) under -sanitize=fuzzer,address: coverage
#       guided, and AddressSanitizer catches out-of-bounds access through unsafe pointers.
#
# Every corpus message and every past crasher (Tests/MIMETests/Corpus/crashers/, kept so a fix
# stays fixed) is parsed first. A crashing or hanging input is written to .build/mime-fuzz/
# and the script exits non-zero.
# Usage: scripts/fuzz-mime.sh [SECONDS] [SEED]      (default 60 s, seed from the clock)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
seed=${2:-$(date +%s)}
engine=${ENGINE:-mutation}
out=.build/mime-fuzz
mkdir -p "$out"
rm -f "$out"/mime-fuzz-crash.eml "$out"/mime-fuzz-hang.eml "$out"/crash-* "$out"/timeout-* "$out"/oom-*

failed() {
  echo "fuzz-mime: FAILED ($1); the input is in $2" >&2
  exit 1
}

if [ "$engine" = libfuzzer ]; then
  echo "fuzz-mime: building the libFuzzer harness (swiftc -sanitize=fuzzer,address)"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name MIMEFuzz -swift-version 6 \
    -enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature ExistentialAny \
    Sources/MIME/*.swift scripts/mime/fuzz/MIMEFuzzHarness.swift -o "$out/mime-libfuzzer" 2>&1 |
    grep -v 'ld.gold: warning: Cannot export local symbol' || true
  corpus="$out/libfuzzer-corpus"
  mkdir -p "$corpus"
  cp Tests/MIMETests/Corpus/messages/*.eml Tests/MIMETests/Corpus/crashers/*.eml "$corpus"/
  echo "fuzz-mime: libFuzzer ${seconds}s, seed $seed"
  status=0
  # Swift's own crash backtracer reads process memory in a way ASan reports as a second,
  # unrelated error; libFuzzer and ASan already print the stack.
  SWIFT_BACKTRACE=enable=no "$out/mime-libfuzzer" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
    -max_len=262144 -print_final_stats=1 -artifact_prefix="$out/" "$corpus" 2>"$out/libfuzzer.log" || status=$?
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' "$out/libfuzzer.log" || true
  for f in "$out"/crash-* "$out"/timeout-* "$out"/oom-*; do
    [ -e "$f" ] && failed "libFuzzer exit $status, log $out/libfuzzer.log" "$f"
  done
  [ "$status" -eq 0 ] || { echo "fuzz-mime: libFuzzer exited with $status (see $out/libfuzzer.log)" >&2; exit "$status"; }
  echo "fuzz-mime: no crash"
  exit 0
fi

echo "fuzz-mime: building mime-bench (release)"
swift build -c release --product mime-bench >/dev/null
bin="$(swift build -c release --show-bin-path)/mime-bench"

echo "fuzz-mime: ${seconds}s, seed $seed (replay: scripts/fuzz-mime.sh $seconds $seed)"
status=0
"$bin" fuzz --seconds "$seconds" --seed "$seed" --corpus Tests/MIMETests/Corpus/messages \
  --corpus Tests/MIMETests/Corpus/crashers --out "$out" || status=$?
for f in "$out"/mime-fuzz-crash.eml "$out"/mime-fuzz-hang.eml; do
  [ -e "$f" ] && failed "exit $status" "$f"
done
if [ "$status" -ne 0 ]; then
  echo "fuzz-mime: mime-bench exited with $status" >&2
  exit "$status"
fi
echo "fuzz-mime: no crash"
