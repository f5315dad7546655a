#!/usr/bin/env bash
# Scanning benchmark: our libclamav wrapper beside clamscan on the same generated files and
# database (same process count, medians), engine load/reload time, memory per engine, and the
# clean-mail cost of MessageScanner against one whole-message scan. Figures go in the README's
# "Scanning performance" section. Extra arguments go to `scan-bench engine` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh >/dev/null
swift build -c release --product scan-bench 2>&1 | grep -E 'error|warning: |Compiling|Build complete' | grep -v '^\[' || true
bin="$(swift build -c release --show-bin-path)/scan-bench"
[ -x "$bin" ] || { echo "bench-scan: scan-bench did not build" >&2; exit 1; }
echo "bench-scan: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%dT%H:%MZ)"
"$bin" engine "$@"
