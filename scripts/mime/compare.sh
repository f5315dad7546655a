#!/usr/bin/env bash
# Runs the built `scanmilterctl mime --json` and Python's email package (reference.py) side by
# side on the MIME corpus and lists every difference; exits non-zero on a difference that
# Tests/MIMETests/Corpus/expected/ does not justify. Builds scanmilterctl (debug) if needed.
# Usage: scripts/mime/compare.sh [MESSAGES_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=$(swift build --show-bin-path)
if [ ! -x "$bin/scanmilterctl" ]; then
  swift build --product scanmilterctl >/dev/null
fi
exec python3 scripts/mime/compare.py "$bin/scanmilterctl" "$@"
