#!/usr/bin/env bash
# Type-detection and clamd-pool benchmarks: libmagic handle sharing (pool vs handle per thread vs
# one locked handle), then clamd-pool throughput through two clamd processes that the benchmark
# starts itself on unix sockets with a generated database. Extra arguments go to the clamd bench
# (--size KiB --seconds S --runs R --threads 1,2,4,8 --signatures N).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product scan-bench
echo "== scan-bench magic"
.build/release/scan-bench magic
echo
echo "== scan-bench clamd $*"
.build/release/scan-bench clamd "$@"
