#!/usr/bin/env bash
# Sets up and runs the main job on a fresh Debian 12 machine.
# For now that is sample-milter, the Swift milter library's demonstration filter, on a local
# unix socket (override with SOCKET=...); the scanmilter daemon takes its place when it lands.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product sample-milter
socket=${SOCKET:-unix:$PWD/.build/sample-milter.sock}
echo "run: sample-milter listening on $socket (Ctrl-C stops it)"
exec .build/release/sample-milter --socket "$socket" "$@"
