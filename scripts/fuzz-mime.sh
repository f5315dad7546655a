#!/usr/bin/env bash
# Fuzzes the MIME parser for a bounded time: `mime-bench fuzz` mutates the corpus messages
# (byte flips, token insertion, boundary and header splicing, truncation, duplication,
# nesting, repetition, line-ending changes), parses each input and decodes every leaf.
# A crashing or hanging input is written to .build/mime-fuzz/ and the script exits non-zero.
# Usage: scripts/fuzz-mime.sh [SECONDS] [SEED]      (default 60 s, seed from the clock)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
seed=${2:-$(date +%s)}
out=.build/mime-fuzz
mkdir -p "$out"
rm -f "$out"/mime-fuzz-crash.eml "$out"/mime-fuzz-hang.eml

echo "fuzz-mime: building mime-bench (release)"
swift build -c release --product mime-bench >/dev/null
bin="$(swift build -c release --show-bin-path)/mime-bench"

echo "fuzz-mime: ${seconds}s, seed $seed (replay: scripts/fuzz-mime.sh $seconds $seed)"
status=0
"$bin" fuzz --seconds "$seconds" --seed "$seed" --corpus Tests/MIMETests/Corpus/messages --out "$out" || status=$?
for f in "$out"/mime-fuzz-crash.eml "$out"/mime-fuzz-hang.eml; do
  if [ -e "$f" ]; then
    echo "fuzz-mime: FAILED (exit $status); the input is in $f" >&2
    exit 1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "fuzz-mime: mime-bench exited with $status" >&2
  exit "$status"
fi
echo "fuzz-mime: no crash"
